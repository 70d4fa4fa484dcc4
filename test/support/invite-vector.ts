/**
 * Computes every value of the parley-invite/1 vector (test/fixtures/invite-v1.json) from its
 * inputs through parley's functions: the fixture was written by this, and
 * test/unit/invite-vectors.test.ts checks that it still gives exactly the fixture.
 */

import { MacHex, mint, Nonce, PublicHex, Username } from '../../src/codecs/formats.js';
import {
  authFrame,
  dhFrame,
  helloFrame,
  joinedFrame,
  joinFrame,
  welcomeFrame,
} from '../../src/codecs/frames.js';
import { encodeFrame } from '../../src/codecs/line.js';
import {
  calculateGenerator,
  DSI,
  generatorString,
  lvCat,
  S_IN_BYTES,
} from '../../src/crypto/cpace.js';
import { createKeyPair } from '../../src/crypto/dh.js';
import { deriveKeys } from '../../src/crypto/schedule.js';
import {
  INVITE_LABEL,
  inviteProof,
  inviteTranscriptHash,
  joinedMac,
  joinMac,
  sealSecret,
  secretPassword,
  welcomeMac,
} from '../../src/invite/schedule.js';

export const INVITE_INPUTS = {
  code: '7-crater-lamp',
  joiner: {
    username: 'bob',
    nonce: '00112233445566778899aabbccddeeff',
    private: '3333333333333333333333333333333333333333333333333333333333333303',
    port: 5002,
  },
  inviter: {
    username: 'alice',
    nonce: 'ffeeddccbbaa99887766554433221100',
    private: '4444444444444444444444444444444444444444444444444444444444444404',
    port: 5001,
  },
  secret: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
} as const;

export const computeInviteVector = () => {
  const { code, joiner, inviter } = INVITE_INPUTS;
  const prs = Buffer.from(code, 'utf8');
  const ci = lvCat(
    Buffer.from(INVITE_LABEL),
    Buffer.from(joiner.username),
    Buffer.from(inviter.username),
  );
  const sid = Buffer.concat([Buffer.from(joiner.nonce, 'hex'), Buffer.from(inviter.nonce, 'hex')]);
  const gen = generatorString(DSI, prs, ci, sid, S_IN_BYTES);
  const g = calculateGenerator(prs, ci, sid);
  const binding = {
    secret: code,
    initiator: joiner.username,
    responder: inviter.username,
    initiatorNonce: joiner.nonce,
    responderNonce: inviter.nonce,
    label: INVITE_LABEL,
  };
  const joinerPair = createKeyPair(
    'cpace-ristretto255',
    binding,
    Buffer.from(joiner.private, 'hex'),
  );
  const inviterPair = createKeyPair(
    'cpace-ristretto255',
    binding,
    Buffer.from(inviter.private, 'hex'),
  );
  const k1 = joinerPair.deriveShared(inviterPair.publicHex);
  const k2 = inviterPair.deriveShared(joinerPair.publicHex);
  if (k1._tag !== 'Right' || k2._tag !== 'Right' || !k1.right.equals(k2.right)) {
    throw new Error('the two sides disagree on K');
  }
  const keys = deriveKeys(code, k1.right);
  const th = inviteTranscriptHash({
    initiator: joiner.username,
    responder: inviter.username,
    initiatorNonce: joiner.nonce,
    responderNonce: inviter.nonce,
    group: 'cpace-ristretto255',
    initiatorPublic: joinerPair.publicHex,
    responderPublic: inviterPair.publicHex,
  });
  const secret = Buffer.from(INVITE_INPUTS.secret, 'hex');
  const sealed = sealSecret(keys, secret);
  const u = (s: string) => mint(Username, s);
  const lines = {
    joiner_hello: encodeFrame(
      helloFrame(u(joiner.username), null, mint(Nonce, joiner.nonce), undefined, 1),
    ),
    inviter_hello: encodeFrame(
      helloFrame(u(inviter.username), u(joiner.username), mint(Nonce, inviter.nonce), undefined, 1),
    ),
    inviter_dh: encodeFrame(dhFrame('cpace-ristretto255', mint(PublicHex, inviterPair.publicHex))),
    joiner_dh: encodeFrame(dhFrame('cpace-ristretto255', mint(PublicHex, joinerPair.publicHex))),
    joiner_auth: encodeFrame(authFrame(inviteProof(keys, th, 'initiator'))),
    join: encodeFrame(joinFrame(joiner.port, joinMac(keys, th, joiner.port))),
    inviter_auth: encodeFrame(authFrame(inviteProof(keys, th, 'responder'))),
    welcome: encodeFrame(
      welcomeFrame(inviter.port, sealed, welcomeMac(keys, th, inviter.port, sealed)),
    ),
    joined: encodeFrame(joinedFrame(mint(MacHex, joinedMac(keys, th)))),
  };
  return {
    protocol: INVITE_LABEL,
    inputs: INVITE_INPUTS,
    prs: prs.toString('hex'),
    ci: ci.toString('hex'),
    sid: sid.toString('hex'),
    gen: gen.toString('hex'),
    g: g.toString('hex'),
    joiner_public: joinerPair.publicHex,
    inviter_public: inviterPair.publicHex,
    k: k1.right.toString('hex'),
    keys: {
      enc: keys.enc.toString('hex'),
      iv: keys.iv.toString('hex'),
      mac: keys.mac.toString('hex'),
      auth: keys.auth.toString('hex'),
    },
    transcript_hash: th,
    proof_initiator: inviteProof(keys, th, 'initiator'),
    proof_responder: inviteProof(keys, th, 'responder'),
    join_hmac: joinMac(keys, th, joiner.port),
    sealed_secret: sealed,
    welcome_hmac: welcomeMac(keys, th, inviter.port, sealed),
    joined_hmac: joinedMac(keys, th),
    password: secretPassword(secret),
    lines,
  };
};

import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeLine, encodeFrame } from '../../src/codecs/line.js';
import { ackMac, open, seal } from '../../src/crypto/channel.js';
import { createKeyPair } from '../../src/crypto/dh.js';
import { deriveKeys, proof, transcriptHash } from '../../src/crypto/schedule.js';
import { bindingOf, VECTOR_CASES, VECTORS } from '../support/vectors.js';

const hex = (b: Buffer) => b.toString('hex');

it('the vector file holds a case for each of the three groups, and three for CPace', () => {
  expect(VECTORS.map((v) => v.group)).toEqual(['modp14', 'x25519', 'cpace-ristretto255']);
  expect(VECTOR_CASES.map((v) => v.group)).toEqual([
    'modp14',
    'x25519',
    ...Array(3).fill('cpace-ristretto255'),
  ]);
});

/** A case's name: its group, who talks to whom, and the first bytes of the initiator's scalar. */
const caseName = (v: (typeof VECTOR_CASES)[number]) =>
  `${v.group}, ${v.initiator.username} → ${v.responder.username}, y_I ${v.initiator.private.slice(0, 8)}…`;

describe.each(VECTOR_CASES.map((v) => [caseName(v), v] as const))('parley/1 vector, %s', (_, v) => {
  const binding = bindingOf(v);
  const alice = createKeyPair(v.group, binding, Buffer.from(v.initiator.private, 'hex'));
  const bob = createKeyPair(v.group, binding, Buffer.from(v.responder.private, 'hex'));
  const dhsk = E.getOrElseW(() => Buffer.alloc(0))(alice.deriveShared(v.responder.public));
  const keys = deriveKeys(v.secret, dhsk);
  const th = transcriptHash({
    initiator: v.initiator.username,
    responder: v.responder.username,
    initiatorNonce: v.initiator.nonce,
    responderNonce: v.responder.nonce,
    group: v.group,
    initiatorPublic: v.initiator.public,
    responderPublic: v.responder.public,
  });

  it('derives both public values from the private keys', () => {
    expect(alice.publicHex).toBe(v.initiator.public);
    expect(bob.publicHex).toBe(v.responder.public);
  });

  it('computes the same DHSK on both sides', () => {
    expect(hex(dhsk)).toBe(v.dhsk);
    expect(bob.deriveShared(v.initiator.public)).toEqual(E.right(dhsk));
  });

  it('derives K_enc, IV, K_mac and K_auth', () => {
    expect({
      enc: hex(keys.enc),
      iv: hex(keys.iv),
      mac: hex(keys.mac),
      auth: hex(keys.auth),
    }).toEqual(v.keys);
  });

  it('computes the transcript hash and both proofs', () => {
    expect(th).toBe(v.transcript_hash);
    expect(proof(keys, th, 'initiator')).toBe(v.proof_initiator);
    expect(proof(keys, th, 'responder')).toBe(v.proof_responder);
  });

  it('seals the plaintext into exactly the vector message frame', () => {
    const { msg_id, from, to, timestamp } = v.message_frame.header;
    const frame = seal(keys, th, { msg_id, from, to, timestamp }, v.plaintext);
    expect(frame).toEqual(v.message_frame);
  });

  it('opens the vector message frame, decoded from its wire line', () => {
    const decoded = decodeLine(encodeFrame(v.message_frame).slice(0, -1));
    expect(E.isRight(decoded)).toBe(true);
    const frame = (decoded as E.Right<typeof v.message_frame>).right;
    const names = { from: v.initiator.username, to: v.responder.username };
    expect(open(keys, th, frame, names)).toEqual(E.right(v.plaintext));
  });

  it('computes the ack MAC', () => {
    expect(ackMac(keys, th, v.ack_frame.msg_id, v.ack_frame.status)).toBe(v.ack_frame.hmac);
  });
});

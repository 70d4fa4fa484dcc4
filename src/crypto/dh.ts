/**
 * Ephemeral Diffie–Hellman for parley/1's three groups: modp14 and x25519 through node:crypto
 * (OpenSSL; x25519 by ./x25519.ts, without round trips), and cpace-ristretto255, whose
 * generator comes from the password (./cpace.ts). A key pair is made fresh for every
 * connection; tests and vectors may inject the private key.
 */
import { createDiffieHellman, getDiffieHellman } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { type ProtocolError, protocolError } from '../codecs/errors.js';
import { type Group, mint, PublicHex } from '../codecs/formats.js';
import {
  calculateGenerator,
  IDENTITY,
  lvCat,
  sampleScalar,
  scalarMult,
  scalarMultVfy,
  shareProblem,
} from './cpace.js';
import { x25519 } from './x25519.js';

/** One side's ephemeral key: its public value for the wire and the derivation of DHSK. */
export interface DhKeyPair {
  readonly group: Group;
  /** Lowercase hex, fixed length for the group (512 characters for modp14, else 64). */
  readonly publicHex: PublicHex;
  /** DHSK from the peer's public value, or `bad_public_key`. */
  deriveShared(peerPublicHex: string): E.Either<ProtocolError, Buffer>;
}

/**
 * What the handshake has said by the time a side makes its key pair. CPace derives its
 * generator from all of it (docs/PROTOCOL.md, "cpace-ristretto255"); modp14 and x25519 ignore it.
 */
export interface GroupBinding {
  /** The user secret shared with the peer (a random one for a stranger). */
  readonly secret: string;
  /** The initiator's username, as its hello said. */
  readonly initiator: string;
  /** The responder's username, as its hello said. */
  readonly responder: string;
  /** The two hello nonces, 32 lowercase hex characters each. */
  readonly initiatorNonce: string;
  readonly responderNonce: string;
  /** CPace's channel label: "parley/1" unless given ("parley-invite/1" for an invite). */
  readonly label?: string;
}

/** Makes a key pair; the private key is fresh unless one is given (tests, vectors). */
export type KeyPairFactory = (
  group: Group,
  binding: GroupBinding,
  privateKey?: Buffer,
) => DhKeyPair;

/** Public value sizes in bytes. */
export const PUBLIC_BYTES: Readonly<Record<Group, number>> = {
  'cpace-ristretto255': 32,
  modp14: 256,
  x25519: 32,
};

const MODP14_PRIME = getDiffieHellman('modp14').getPrime();
const GENERATOR = Buffer.from([2]);
const TWO = Buffer.alloc(256);
TWO[255] = 2;
const P_MINUS_TWO = Buffer.from(MODP14_PRIME);
P_MINUS_TWO[255]! -= 2; // p is odd (ends in 0xff), so no borrow.

const badKey = (why: string): ProtocolError => protocolError('bad_public_key', why);

const leftPad = (bytes: Buffer, size: number): Buffer =>
  bytes.length >= size ? bytes : Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);

/** Checks the length the contract fixes for the group, before any arithmetic. */
const publicBytes = (group: Group, hex: string): E.Either<ProtocolError, Buffer> =>
  hex.length === PUBLIC_BYTES[group] * 2 && /^[0-9a-f]*$/.test(hex)
    ? E.right(Buffer.from(hex, 'hex'))
    : E.left(
        badKey(
          `the ${group} public value must be ${PUBLIC_BYTES[group] * 2} lowercase hex characters`,
        ),
      );

/** parley/1: a modp14 public value y must satisfy 2 ≤ y ≤ p−2 (rules out 0, 1, p−1, ≥ p). */
export const isValidModp14Public = (y: Buffer): boolean =>
  y.length === 256 && Buffer.compare(y, TWO) >= 0 && Buffer.compare(y, P_MINUS_TWO) <= 0;

const modp14KeyPair = (privateKey?: Buffer): DhKeyPair => {
  const dh = createDiffieHellman(MODP14_PRIME, GENERATOR);
  if (privateKey) dh.setPrivateKey(privateKey);
  dh.generateKeys(); // computes the public value from an injected private key, or makes both
  return {
    group: 'modp14',
    publicHex: mint(PublicHex, leftPad(dh.getPublicKey(), 256).toString('hex')),
    deriveShared: (peerHex) =>
      E.chain((y: Buffer) =>
        isValidModp14Public(y)
          ? E.right(leftPad(dh.computeSecret(y), 256))
          : E.left(badKey('the modp14 public value must be between 2 and p-2')),
      )(publicBytes('modp14', peerHex)),
  };
};

const x25519KeyPair = (raw?: Buffer): DhKeyPair => {
  const key = x25519.keyPair(raw);
  return {
    group: 'x25519',
    publicHex: mint(PublicHex, key.publicKey.toString('hex')),
    deriveShared: (peerHex) =>
      E.chain((peer: Buffer) => {
        const shared = key.shared(peer);
        return shared
          ? E.right(shared)
          : E.left(badKey('the x25519 public value gives an all-zero shared secret'));
      })(publicBytes('x25519', peerHex)),
  };
};

const PROTOCOL_LABEL = Buffer.from('parley/1', 'utf8');
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/**
 * CPace's inputs in parley/1: PRS = the secret's UTF-8 bytes; CI = lv_cat("parley/1",
 * initiator, responder), so that the key is bound to the protocol and to who plays which role;
 * sid = the initiator's nonce ‖ the responder's nonce (32 bytes), fresh for every connection.
 */
export const cpaceInputs = (b: GroupBinding) => ({
  prs: utf8(b.secret),
  ci: lvCat(
    b.label === undefined ? PROTOCOL_LABEL : utf8(b.label),
    utf8(b.initiator),
    utf8(b.responder),
  ),
  sid: Buffer.concat([Buffer.from(b.initiatorNonce, 'hex'), Buffer.from(b.responderNonce, 'hex')]),
});

/** Y = y·g, g from the password; DHSK = encode(y·X), X a canonical non-identity element. */
const cpaceKeyPair = (binding: GroupBinding, scalar: Buffer = sampleScalar()): DhKeyPair => {
  const { prs, ci, sid } = cpaceInputs(binding);
  const derive = (share: Buffer): E.Either<ProtocolError, Buffer> => {
    const problem = shareProblem(share);
    if (problem !== undefined)
      return E.left(badKey(`the cpace-ristretto255 public value ${problem}`));
    const k = scalarMultVfy(scalar, share);
    // Unreachable in a prime-order group with a non-zero scalar; checked as the draft asks.
    return k.equals(IDENTITY)
      ? E.left(badKey('the cpace-ristretto255 public value gives the identity element'))
      : E.right(k);
  };
  return {
    group: 'cpace-ristretto255',
    publicHex: mint(
      PublicHex,
      scalarMult(scalar, calculateGenerator(prs, ci, sid)).toString('hex'),
    ),
    deriveShared: (peerHex) => E.chain(derive)(publicBytes('cpace-ristretto255', peerHex)),
  };
};

/** The real key-pair factory: fresh private keys unless one is injected. */
export const createKeyPair: KeyPairFactory = (group, binding, privateKey) => {
  switch (group) {
    case 'modp14':
      return modp14KeyPair(privateKey);
    case 'x25519':
      return x25519KeyPair(privateKey);
    case 'cpace-ristretto255':
      return cpaceKeyPair(binding, privateKey);
  }
};

/** p − 1 and p as hex, for tests of the public-value checks. */
export const MODP14_PRIME_HEX = MODP14_PRIME.toString('hex');

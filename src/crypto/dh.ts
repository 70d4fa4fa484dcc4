/**
 * Ephemeral Diffie–Hellman for parley/1's two groups: modp14 through node:crypto (OpenSSL),
 * x25519 through ./x25519.ts (libsodium where it loads, node:crypto otherwise). A key pair is
 * made fresh for every connection; tests and vectors may inject the private key.
 */
import { createDiffieHellman, getDiffieHellman } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { type ProtocolError, protocolError } from '../codecs/errors.js';
import type { Group } from '../codecs/formats.js';
import { x25519 } from './x25519.js';

/** One side's ephemeral key: its public value for the wire and the derivation of DHSK. */
export interface DhKeyPair {
  readonly group: Group;
  /** Lowercase hex, fixed length for the group (512 or 64 characters). */
  readonly publicHex: string;
  /** DHSK from the peer's public value, or `bad_public_key`. */
  deriveShared(peerPublicHex: string): E.Either<ProtocolError, Buffer>;
}

/** Makes a key pair; the private key is fresh unless one is given (tests, vectors). */
export type KeyPairFactory = (group: Group, privateKey?: Buffer) => DhKeyPair;

/** Public value sizes in bytes. */
export const PUBLIC_BYTES: Readonly<Record<Group, number>> = { modp14: 256, x25519: 32 };

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
    publicHex: leftPad(dh.getPublicKey(), 256).toString('hex'),
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
    publicHex: key.publicKey.toString('hex'),
    deriveShared: (peerHex) =>
      E.chain((peer: Buffer) => {
        const shared = key.shared(peer);
        return shared
          ? E.right(shared)
          : E.left(badKey('the x25519 public value gives an all-zero shared secret'));
      })(publicBytes('x25519', peerHex)),
  };
};

/** The real key-pair factory: fresh private keys from the CSPRNG unless one is injected. */
export const createKeyPair: KeyPairFactory = (group, privateKey) =>
  group === 'modp14' ? modp14KeyPair(privateKey) : x25519KeyPair(privateKey);

/** p − 1 and p as hex, for tests of the public-value checks. */
export const MODP14_PRIME_HEX = MODP14_PRIME.toString('hex');

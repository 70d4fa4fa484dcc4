/**
 * X25519 (RFC 7748) on raw 32-byte values, for parley/1's x25519 group, through node:crypto
 * without round trips: the key-generation job hands back the public half as a JWK, a peer's
 * value is imported as a JWK (OpenSSL's DER decoder costs far more). libsodium does the same
 * work in less CPU (bench/x25519-sodium.ts, `npm run bench:dh`, docs/PERFORMANCE.md), but
 * parley takes every primitive node:crypto has from node:crypto; libsodium is used only for
 * ristretto255, which node:crypto lacks.
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/** Private keys, public values and shared secrets are all this long. */
export const X25519_BYTES = 32;

/** One side's ephemeral key. */
export interface X25519Key {
  /** X25519(k, 9): the raw public value for the wire. */
  readonly publicKey: Buffer;
  /**
   * X25519(k, peer) for a 32-byte peer value, or undefined when it would be all zero: the
   * peer sent a low-order point, which would make the secret public.
   */
  shared(peerPublic: Buffer): Buffer | undefined;
}

export interface X25519 {
  readonly implementation: string;
  /** A fresh key from the CSPRNG, or the given 32-byte private key (tests, vectors). */
  keyPair(privateKey?: Buffer): X25519Key;
}

const ALL_ZERO = Buffer.alloc(X25519_BYTES);

const nonZero = (shared: Buffer): Buffer | undefined =>
  shared.equals(ALL_ZERO) ? undefined : shared;

// A raw public value is imported as a JWK: OpenSSL's DER decoder costs ~20 times more here.
const jwkPublic = (raw: Buffer): KeyObject =>
  createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') },
    format: 'jwk',
  });

const BASE_POINT = jwkPublic(Buffer.from([9, ...new Array<number>(31).fill(0)]));
// The PKCS#8 wrapper of RFC 8410 for a raw X25519 private key (injected keys only).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * A fresh key with its public half exported as a JWK by the key-generation job itself: no
 * second scalar multiplication, no DER. (Not KeyObject.export as JWK afterwards: on Node 20
 * that can deadlock with the garbage collector after many thousands of keys; the export inside
 * the job ran 800,000 keys without one, docs/PERFORMANCE.md.)
 */
const freshNodeKey = (): { privateKey: KeyObject; publicKey: Buffer } => {
  // @types/node types an encoding only for both halves at once; Node takes either alone.
  const pair = generateKeyPairSync('x25519', {
    publicKeyEncoding: { format: 'jwk' },
  }) as unknown as { privateKey: KeyObject; publicKey: { x: string } };
  return { privateKey: pair.privateKey, publicKey: Buffer.from(pair.publicKey.x, 'base64url') };
};

/** An injected key (tests only): its public value as X25519(k, 9), the base point made once. */
const injectedNodeKey = (raw: Buffer): { privateKey: KeyObject; publicKey: Buffer } => {
  const der = Buffer.concat([PKCS8_PREFIX, raw]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: diffieHellman({ privateKey, publicKey: BASE_POINT }) };
};

/** OpenSSL refuses a low-order point with an exception; both ways mean the same. */
export const nodeX25519: X25519 = {
  implementation: 'node:crypto',
  keyPair: (raw) => {
    const { privateKey, publicKey } = raw ? injectedNodeKey(raw) : freshNodeKey();
    return {
      publicKey,
      shared: (peer) => {
        try {
          return nonZero(diffieHellman({ privateKey, publicKey: jwkPublic(peer) }));
        } catch {
          return undefined;
        }
      },
    };
  },
};

/** The one parley uses: node:crypto (OpenSSL), as every primitive of parley's is. */
export const x25519: X25519 = nodeX25519;

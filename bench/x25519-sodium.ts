/**
 * X25519 by libsodium (sodium-native, a devDependency): the bench's DH bound and the unit
 * test's cross-check. parley itself uses node:crypto (src/crypto/x25519.ts).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { type X25519, X25519_BYTES } from '../src/crypto/x25519.js';

const ALL_ZERO = Buffer.alloc(X25519_BYTES);
const nonZero = (shared: Buffer): Buffer | undefined =>
  shared.equals(ALL_ZERO) ? undefined : shared;

// sodium-native is CommonJS without types: the two calls used here.
interface SodiumScalarMult {
  crypto_scalarmult_base(q: Buffer, n: Buffer): void;
  crypto_scalarmult(q: Buffer, n: Buffer, p: Buffer): void;
}

/** sodium-native, or undefined where it has no binary for this platform. */
const loadSodium = (): SodiumScalarMult | undefined => {
  try {
    return createRequire(import.meta.url)('sodium-native') as SodiumScalarMult;
  } catch {
    return undefined;
  }
};

/**
 * libsodium clamps the scalar itself and throws (status -1) for a low-order peer point,
 * exactly the points whose result is all zero; the zero check stays as the contract's rule.
 */
const withSodium = (sodium: SodiumScalarMult): X25519 => ({
  implementation: 'libsodium',
  keyPair: (privateKey) => {
    const secret = privateKey ?? randomBytes(X25519_BYTES);
    const publicKey = Buffer.alloc(X25519_BYTES);
    sodium.crypto_scalarmult_base(publicKey, secret);
    return {
      publicKey,
      shared: (peer) => {
        const shared = Buffer.alloc(X25519_BYTES);
        try {
          sodium.crypto_scalarmult(shared, secret, peer);
        } catch {
          return undefined;
        }
        return nonZero(shared);
      },
    };
  },
});

const sodium = loadSodium();

/** libsodium's X25519, or undefined where sodium-native cannot load. */
export const sodiumX25519: X25519 | undefined = sodium ? withSodium(sodium) : undefined;

/**
 * The random port's adapters: the CSPRNG (node:crypto, i.e. OpenSSL) for real use, and a
 * seeded one that repeats itself for tests and marble diagrams — never for real keys.
 */
import { createHash, randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import type { Random } from './ports.js';

/**
 * CSPRNG bytes handed out from a pool that `randomFillSync` refills, as Node's own
 * `randomUUID` does: a nonce costs a copy instead of a call into OpenSSL. Every byte is used
 * once; each caller gets a copy of its own.
 */
export const pooledRandomBytes = (poolBytes = 4096) => {
  const pool = Buffer.alloc(poolBytes);
  let used = poolBytes;
  return (size: number): Buffer => {
    if (size > poolBytes) return randomBytes(size);
    if (used + size > poolBytes) {
      randomFillSync(pool);
      used = 0;
    }
    const out = Buffer.from(pool.subarray(used, used + size));
    used += size;
    return out;
  };
};

const UINT32 = 2 ** 32;

/** node:crypto's CSPRNG: nonces, secrets, ids and jitter all from it. */
export const cryptoRandom = (): Random => {
  const bytes = pooledRandomBytes();
  return {
    bytes,
    uuid: randomUUID,
    fraction: () => bytes(4).readUInt32BE(0) / UINT32,
  };
};

/** The UUID layout of 16 bytes (version 4, RFC 4122 variant), lowercase. */
const uuidOf = (b: Buffer): string => {
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/**
 * The same bytes for the same seed, every run: SHA-256 of (seed, counter). For tests, where
 * a nonce or an id in a diagram must be known in advance. Predictable by design: never give
 * it to a node that talks to anyone real.
 */
export const seededRandom = (seed: string): Random => {
  let counter = 0;
  const block = () => createHash('sha256').update(`${seed}\n${counter++}`).digest();
  const bytes = (size: number): Buffer => {
    const blocks: Buffer[] = [];
    for (let have = 0; have < size; have += 32) blocks.push(block());
    return Buffer.concat(blocks).subarray(0, size);
  };
  return {
    bytes,
    uuid: () => uuidOf(bytes(16)),
    fraction: () => bytes(4).readUInt32BE(0) / UINT32,
  };
};

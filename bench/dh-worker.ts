/**
 * One core's share of the DH bound: how many deliveries per second the Diffie–Hellman work
 * alone would allow, that is both sides' key generation and shared-secret derivation. The
 * parent runs one of these per core at once and adds the rates.
 *
 * Two ways, because they answer two questions:
 * - `parley`: with parley's own `createKeyPair` (wire encoding of public values and their
 *   checks included), what a delivery pays today;
 * - `floor`: the fastest arithmetic measured here (`npm run bench:dh`), no encoding at all:
 *   node:crypto's DiffieHellman for modp14, libsodium's scalar multiplication for x25519 (half
 *   the CPU of node:crypto's key objects); the floor that no implementation here goes below.
 */
import { createDiffieHellman, getDiffieHellman, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Group } from '../src/index.js';
import { serve } from './ipc.js';
import { loadParley } from './parley.js';

export type DhMode = 'parley' | 'floor';

const { createKeyPair } = await loadParley();

const MODP14_PRIME = getDiffieHellman('modp14').getPrime();
const GENERATOR = Buffer.from([2]);

/** Everything DH costs one delivery through parley: two key pairs, two derivations. */
const parleyDelivery = (group: Group): void => {
  const initiator = createKeyPair(group);
  const responder = createKeyPair(group);
  const a = responder.deriveShared(initiator.publicHex);
  const b = initiator.deriveShared(responder.publicHex);
  if (a._tag === 'Left' || b._tag === 'Left') throw new Error(`${group}: a derivation failed`);
};

const modp14Floor = (): void => {
  const initiator = createDiffieHellman(MODP14_PRIME, GENERATOR);
  const responder = createDiffieHellman(MODP14_PRIME, GENERATOR);
  initiator.generateKeys();
  responder.generateKeys();
  initiator.computeSecret(responder.getPublicKey());
  responder.computeSecret(initiator.getPublicKey());
};

// sodium-native is CommonJS without types: the two calls used here.
const sodium = createRequire(import.meta.url)('sodium-native') as {
  crypto_scalarmult_base(q: Buffer, n: Buffer): void;
  crypto_scalarmult(q: Buffer, n: Buffer, p: Buffer): void;
};

const x25519Floor = (): void => {
  const keys = [randomBytes(32), randomBytes(32)] as const;
  const publics = [Buffer.alloc(32), Buffer.alloc(32)] as const;
  const shared = Buffer.alloc(32);
  sodium.crypto_scalarmult_base(publics[0], keys[0]);
  sodium.crypto_scalarmult_base(publics[1], keys[1]);
  sodium.crypto_scalarmult(shared, keys[0], publics[1]);
  sodium.crypto_scalarmult(shared, keys[1], publics[0]);
};

const oneDelivery = (group: Group, mode: DhMode): (() => void) =>
  mode === 'parley' ? () => parleyDelivery(group) : group === 'modp14' ? modp14Floor : x25519Floor;

const runFor = (work: () => void, ms: number): number => {
  const until = performance.now() + ms;
  let done = 0;
  while (performance.now() < until) {
    work();
    done += 1;
  }
  return done;
};

export interface RateRequest {
  readonly group: Group;
  readonly mode: DhMode;
  readonly warmupMs: number;
  readonly windowMs: number;
}

const api = {
  rate: async ({ group, mode, warmupMs, windowMs }: RateRequest) => {
    const work = oneDelivery(group, mode);
    runFor(work, warmupMs);
    const started = performance.now();
    const done = runFor(work, windowMs);
    return { perSecond: done / ((performance.now() - started) / 1000) };
  },
};

export type DhWorkerApi = typeof api;

serve(api);

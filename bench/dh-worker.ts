/**
 * One core's share of the DH bound: how many deliveries per second the Diffie–Hellman work
 * alone would allow, that is both sides' key generation and shared-secret derivation. The
 * parent runs one of these per core at once and adds the rates.
 *
 * Two ways, because they answer two questions:
 * - `parley`: with parley's own `createKeyPair` (wire encoding of public values and their
 *   checks included), what a delivery pays today;
 * - `floor`: the fastest arithmetic measured here (`npm run bench:dh`), no encoding at all:
 *   node:crypto's DiffieHellman for modp14, libsodium's scalar multiplication for x25519 (less
 *   CPU than node:crypto's key objects, which parley uses), libsodium's ristretto255 and
 *   node:crypto's SHA-512 for CPace: the floor that no implementation here goes below.
 */
import { createDiffieHellman, createHash, getDiffieHellman, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import sodium from 'libsodium-wrappers-sumo';
import type { Group } from '../src/protocol.js';
import { serve } from './ipc.js';
import { loadProtocol } from './parley.js';

export type DhMode = 'parley' | 'floor';

const { createKeyPair } = await loadProtocol();

const MODP14_PRIME = getDiffieHellman('modp14').getPrime();
const GENERATOR = Buffer.from([2]);

/** Fresh nonces for each delivery, as on the wire (CPace derives its generator from them). */
const bindingFor = () => ({
  secret: 'parley bench: correct horse battery staple',
  initiator: 'alice',
  responder: 'bob',
  initiatorNonce: randomBytes(16).toString('hex'),
  responderNonce: randomBytes(16).toString('hex'),
});

/** Everything DH costs one delivery through parley: two key pairs, two derivations. */
const parleyDelivery = (group: Group): void => {
  const binding = bindingFor();
  const initiator = createKeyPair(group, binding);
  const responder = createKeyPair(group, binding);
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

// sodium-native (a devDependency) is CommonJS without types: the two calls used here.
const native = createRequire(import.meta.url)('sodium-native') as {
  crypto_scalarmult_base(q: Buffer, n: Buffer): void;
  crypto_scalarmult(q: Buffer, n: Buffer, p: Buffer): void;
};

const x25519Floor = (): void => {
  const keys = [randomBytes(32), randomBytes(32)] as const;
  const publics = [Buffer.alloc(32), Buffer.alloc(32)] as const;
  const shared = Buffer.alloc(32);
  native.crypto_scalarmult_base(publics[0], keys[0]);
  native.crypto_scalarmult_base(publics[1], keys[1]);
  native.crypto_scalarmult(shared, keys[0], publics[1]);
  native.crypto_scalarmult(shared, keys[1], publics[0]);
};

await sodium.ready;
const GENERATOR_STRING_BYTES = 181; // parley's, for alice and bob and a 42-byte secret

/** Each side: its generator (one SHA-512, one map), y·g, and y·X for the peer's X. */
const cpaceFloor = (): void => {
  const side = () => {
    const hash = createHash('sha512').update(randomBytes(GENERATOR_STRING_BYTES)).digest();
    const generator = sodium.crypto_core_ristretto255_from_hash(hash);
    const scalar = sodium.crypto_core_ristretto255_scalar_random();
    return { scalar, share: sodium.crypto_scalarmult_ristretto255(scalar, generator) };
  };
  const initiator = side();
  const responder = side();
  sodium.crypto_scalarmult_ristretto255(initiator.scalar, responder.share);
  sodium.crypto_scalarmult_ristretto255(responder.scalar, initiator.share);
};

const FLOORS: Readonly<Record<Group, () => void>> = {
  modp14: modp14Floor,
  x25519: x25519Floor,
  'cpace-ristretto255': cpaceFloor,
};

const oneDelivery = (group: Group, mode: DhMode): (() => void) =>
  mode === 'parley' ? () => parleyDelivery(group) : FLOORS[group];

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

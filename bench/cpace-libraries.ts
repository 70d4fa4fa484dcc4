/**
 * Which ristretto255 library for CPace (docs/PERFORMANCE.md, "CPace: choosing the library"):
 * the cost of one side of one connection — the generator (SHA-512 of the generator string and
 * ristretto255's one-way map), Y = y·g, and y·X — with libsodium (libsodium-wrappers-sumo,
 * parley's dependency) and with @noble/curves (pure JS; not a dependency, so install it for
 * the run), and x25519 through node:crypto for reference. One core, a short fixed window.
 *
 *   npm i --no-save @noble/curves && npx tsx bench/cpace-libraries.ts
 *
 * Both libraries must reproduce the draft's generator and Ya (appendix B.3) or nothing is timed.
 */
import {
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';

await sodium.ready;

const WARMUP_MS = 300;
const WINDOW_MS = 2_000;
const GENERATOR_STRING_BYTES = 181; // parley's, for alice, bob and a 28-byte password

const hex = (s: string) => Buffer.from(s, 'hex');
// Draft B.3: SHA-512 of its generator string, ya, and the expected g and Ya.
const DRAFT_HASH = hex(
  'da6d3ddc8802fca9058755ffd3ebde08a9c2c74945901a258482a288b6663af06bf645c93cd1c515123071' +
    '99c80e84908916d983b34af77205f90851a657ee27',
);
const DRAFT_YA = hex('da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08');
const DRAFT_G = '222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56';
const DRAFT_BIG_YA = 'd6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157';

interface Library {
  readonly generator: (hash64: Buffer) => Uint8Array;
  readonly multiply: (scalar: Buffer, element: Uint8Array) => Uint8Array;
}

const libsodium: Library = {
  generator: (h) => sodium.crypto_core_ristretto255_from_hash(h),
  multiply: (y, e) => sodium.crypto_scalarmult_ristretto255(y, e),
};

const noble = async (): Promise<Library | undefined> => {
  const name = '@noble/curves/ed25519.js';
  const mod = await import(name).catch(() => undefined);
  if (mod === undefined) return undefined;
  const { ristretto255, ristretto255_hasher } = mod;
  const scalarOf = (y: Buffer) => BigInt(`0x${Buffer.from(y).reverse().toString('hex')}`);
  return {
    generator: (h) => ristretto255_hasher.deriveToCurve(h).toBytes(),
    multiply: (y, e) => ristretto255.Point.fromBytes(e).multiply(scalarOf(y)).toBytes(),
  };
};

const scalar = (): Buffer => {
  const y = randomBytes(32);
  y[31]! &= 0x0f;
  return y;
};

const checkDraft = (name: string, lib: Library): void => {
  const g = lib.generator(DRAFT_HASH);
  const ya = lib.multiply(DRAFT_YA, g);
  if (
    Buffer.from(g).toString('hex') !== DRAFT_G ||
    Buffer.from(ya).toString('hex') !== DRAFT_BIG_YA
  ) {
    throw new Error(`${name} does not reproduce the draft's vectors`);
  }
};

/** One side of one CPace connection. */
const cpaceSide = (lib: Library, peer: Uint8Array) => () => {
  const hash = createHash('sha512').update(randomBytes(GENERATOR_STRING_BYTES)).digest();
  const g = lib.generator(hash);
  const y = scalar();
  lib.multiply(y, g);
  lib.multiply(y, peer);
};

const BASE = createPublicKey({
  key: {
    kty: 'OKP',
    crv: 'X25519',
    x: Buffer.from([9, ...new Array(31).fill(0)]).toString('base64url'),
  },
  format: 'jwk',
});
const x25519Side = () => {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  diffieHellman({ privateKey, publicKey: BASE });
  diffieHellman({ privateKey, publicKey });
};

const microseconds = (work: () => void): number => {
  const run = (ms: number) => {
    const until = performance.now() + ms;
    let n = 0;
    for (; performance.now() < until; n++) work();
    return n;
  };
  run(WARMUP_MS);
  const started = performance.now();
  const n = run(WINDOW_MS);
  return ((performance.now() - started) * 1000) / n;
};

const peerOf = (lib: Library) => lib.multiply(scalar(), lib.generator(randomBytes(64)));
const report = (name: string, us: number) =>
  console.log(`${name.padEnd(40)} ${us.toFixed(0).padStart(6)} µs per side per connection`);

checkDraft('libsodium', libsodium);
report('cpace, libsodium (wasm)', microseconds(cpaceSide(libsodium, peerOf(libsodium))));
const pureJs = await noble();
if (pureJs === undefined) {
  console.log('cpace, @noble/curves: not installed (npm i --no-save @noble/curves)');
} else {
  checkDraft('@noble/curves', pureJs);
  report('cpace, @noble/curves (pure JS)', microseconds(cpaceSide(pureJs, peerOf(pureJs))));
}
report('x25519, node:crypto (for reference)', microseconds(x25519Side));

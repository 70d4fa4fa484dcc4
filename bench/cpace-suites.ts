/**
 * CPace's arithmetic, the well-kept options against parley's libsodium (WebAssembly) build, in
 * one run (docs/PERFORMANCE.md, "CPace: the arithmetic's options"). Per handshake side: the
 * generator (SHA-512 of the generator string and the map), the key pair (a scalar and Y = y·g)
 * and the shared secret (y·X), in µs, and the ratio to libsodium's.
 *
 *   npx tsx bench/cpace-suites.ts
 *
 * - cpace-ristretto255 (parley's group today) with libsodium-wrappers-sumo (WebAssembly) and
 *   with @noble/curves (pure JS). No native ristretto255 binding is in the npm registry:
 *   sodium-native 5 binds libsodium without its ristretto255 functions.
 * - the draft's CPACE-X25519-SHA512 (G_X25519, DSI "CPace255"): SHA-512 of the generator
 *   string cut to 32 bytes, RFC 9380's Elligator2 map to Curve25519 from @noble/curves, and the
 *   scalar multiplications by X25519 through node:crypto (OpenSSL) or sodium-native (libsodium).
 *
 * Every suite must reproduce its draft vectors first (ristretto255: B.3 of the revision parley
 * follows; X25519: B.1) or nothing is timed. One core, a short fixed window per suite.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { createRequire } from 'node:module';
import {
  _map_to_curve_elligator2_curve25519,
  ed25519,
  ristretto255,
  ristretto255_hasher,
} from '@noble/curves/ed25519.js';
import sodium from 'libsodium-wrappers-sumo';
import { generatorString, lvCat } from '../src/crypto/cpace.js';

await sodium.ready;

const WARMUP_MS = 300;
const WINDOW_MS = 1_500;
const S_IN_BYTES = 128;
const hex = (s: string) => Buffer.from(s, 'hex');
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** One CPace group: the generator from the generator string's parts, Y, and y·X. */
interface Suite {
  readonly name: string;
  readonly generator: (prs: Buffer, ci: Buffer, sid: Buffer) => Uint8Array;
  /** A fresh secret for this side and its share Y = y·g. */
  readonly keyPair: (g: Uint8Array) => { secret: unknown; share: Uint8Array };
  readonly shared: (secret: unknown, peer: Uint8Array) => Uint8Array;
  /** The same two steps from a given scalar, for the vectors. */
  readonly fromScalar: (y: Buffer) => unknown;
  readonly shareOf: (secret: unknown, g: Uint8Array) => Uint8Array;
}

// --- ristretto255 ------------------------------------------------------------------------
const RISTRETTO_DSI = Buffer.from('CPaceRistretto255');
const ristrettoHash = (prs: Buffer, ci: Buffer, sid: Buffer) =>
  createHash('sha512')
    .update(generatorString(RISTRETTO_DSI, prs, ci, sid, S_IN_BYTES))
    .digest();
const ristrettoScalar = (): Buffer => {
  const y = randomBytes(32);
  y[31]! &= 0x0f;
  return y;
};
const libsodium: Suite = {
  name: 'cpace-ristretto255, libsodium (wasm)',
  generator: (p, c, s) => sodium.crypto_core_ristretto255_from_hash(ristrettoHash(p, c, s)),
  keyPair: (g) => {
    const y = ristrettoScalar();
    return { secret: y, share: sodium.crypto_scalarmult_ristretto255(y, g) };
  },
  shared: (y, x) => sodium.crypto_scalarmult_ristretto255(y as Buffer, x),
  fromScalar: (y) => y,
  shareOf: (y, g) => sodium.crypto_scalarmult_ristretto255(y as Buffer, g),
};
const scalarOf = (y: Buffer) => BigInt(`0x${Buffer.from(y).reverse().toString('hex')}`);
const nobleMul = (y: Buffer, e: Uint8Array) =>
  ristretto255.Point.fromBytes(e).multiply(scalarOf(y)).toBytes();
const nobleRistretto: Suite = {
  name: 'cpace-ristretto255, @noble/curves (JS)',
  generator: (p, c, s) => ristretto255_hasher.deriveToCurve!(ristrettoHash(p, c, s)).toBytes(),
  keyPair: (g) => {
    const y = ristrettoScalar();
    return { secret: y, share: nobleMul(y, g) };
  },
  shared: (y, x) => nobleMul(y as Buffer, x),
  fromScalar: (y) => y,
  shareOf: (y, g) => nobleMul(y as Buffer, g),
};

// --- X25519 (G_X25519) --------------------------------------------------------------------
const X25519_DSI = Buffer.from('CPace255');
const Fp = ed25519.Point.Fp;
/** calculate_generator: decodeUCoordinate(SHA-512(gen_str)[0..32], 255), then Elligator2. */
const x25519Generator = (prs: Buffer, ci: Buffer, sid: Buffer): Uint8Array => {
  const u = createHash('sha512')
    .update(generatorString(X25519_DSI, prs, ci, sid, S_IN_BYTES))
    .digest()
    .subarray(0, 32);
  u[31]! &= 0x7f; // field_size_bits = 255: the top bit is masked
  const { xMn, xMd } = _map_to_curve_elligator2_curve25519(Fp.create(Fp.fromBytes(u, true)));
  return Fp.toBytes(Fp.div(xMn, xMd));
};
const jwkPublic = (raw: Uint8Array): KeyObject =>
  createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
const PKCS8_PREFIX = hex('302e020100300506032b656e04220420');
const nodeMul = (k: KeyObject, u: Uint8Array) =>
  diffieHellman({ privateKey: k, publicKey: jwkPublic(u) });
const nodeX25519: Suite = {
  name: 'cpace-x25519, node:crypto + noble map',
  generator: x25519Generator,
  // a fresh key from OpenSSL's generator (its y·9 is unused), then y·g
  keyPair: (g) => {
    const k = generateKeyPairSync('x25519').privateKey;
    return { secret: k, share: nodeMul(k, g) };
  },
  shared: (k, x) => nodeMul(k as KeyObject, x),
  fromScalar: (y) =>
    createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, y]), format: 'der', type: 'pkcs8' }),
  shareOf: (k, g) => nodeMul(k as KeyObject, g),
};
const native = createRequire(import.meta.url)('sodium-native') as {
  crypto_scalarmult(q: Buffer, n: Uint8Array, p: Uint8Array): void;
};
const nativeMul = (y: Uint8Array, u: Uint8Array) => {
  const q = Buffer.alloc(32);
  native.crypto_scalarmult(q, y, u);
  return q;
};
const nativeX25519: Suite = {
  name: 'cpace-x25519, sodium-native + noble map',
  generator: x25519Generator,
  keyPair: (g) => {
    const y = randomBytes(32);
    return { secret: y, share: nativeMul(y, g) };
  },
  shared: (y, x) => nativeMul(y as Buffer, x),
  fromScalar: (y) => y,
  shareOf: (y, g) => nativeMul(y as Buffer, g),
};

// --- vectors ------------------------------------------------------------------------------
const SID = hex('7e4b4791d6a8ef019b936c79fb7f2c57');
const PRS = Buffer.from('Password');
/** The ristretto255 vector of the draft revision parley follows (test/fixtures/cpace-vector.ts). */
const RISTRETTO_VECTOR = {
  ci: hex('0b415f696e69746961746f720b425f726573706f6e646572'),
  g: '222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56',
  y: hex('da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08'),
  share: 'd6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157',
};
/** G_X25519's vector (appendix B.1): g, Ya = ya·g, and K = ya·Yb. */
const X25519_VECTOR = {
  ci: hex('0b415f696e69746961746f720b425f726573706f6e646572'),
  g: 'd04bf6d41f6a289632a2e929fa29bebd51092512a7829fdde7d314b62f05a73f',
  y: hex('21b4f4bd9e64ed355c3eb676a28ebedaf6d8f17bdc365995b319097153044080'),
  share: '1d13c89278cdadd826f6d8d7f887701430f8380ddc17611cdd6dc989ce0c9f32',
  peer: hex('248cccf6d5cdc3646f0ad593f9e6cef4e69d4945f8372e623512ecea32185623'),
  k: '5b067effbdc0b2a0e1d907b21ebb25cfedb96a852179a847c37e43ee71322c6b',
};

const checkVectors = (suite: Suite, v: typeof RISTRETTO_VECTOR & { peer?: Buffer; k?: string }) => {
  const g = suite.generator(PRS, v.ci, SID);
  const secret = suite.fromScalar(v.y);
  const ok =
    hexOf(g) === v.g &&
    hexOf(suite.shareOf(secret, g)) === v.share &&
    (v.peer === undefined || hexOf(suite.shared(secret, v.peer)) === v.k);
  if (!ok) throw new Error(`${suite.name} does not reproduce the draft's vectors`);
};

// --- timing -------------------------------------------------------------------------------
const CI = lvCat(Buffer.from('parley/1'), Buffer.from('alice'), Buffer.from('bob')); // parley's
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

/** One side: g from fresh nonces (a fresh sid), a key pair, the secret with the peer's share. */
const side = (suite: Suite) => {
  const g0 = suite.generator(PRS, CI, randomBytes(32));
  const peer = suite.keyPair(g0).share;
  const prs = randomBytes(28);
  return {
    generator: () => suite.generator(prs, CI, randomBytes(32)),
    keyPair: () => suite.keyPair(g0),
    shared: (() => {
      const { secret } = suite.keyPair(g0);
      return () => suite.shared(secret, peer);
    })(),
    whole: () => {
      const g = suite.generator(prs, CI, randomBytes(32));
      const { secret } = suite.keyPair(g);
      suite.shared(secret, peer);
    },
  };
};

checkVectors(libsodium, RISTRETTO_VECTOR);
checkVectors(nobleRistretto, RISTRETTO_VECTOR);
checkVectors(nodeX25519, X25519_VECTOR);
checkVectors(nativeX25519, X25519_VECTOR);

const col = (s: string | number, w: number) => String(s).padStart(w);
console.log(
  `cpace arithmetic per handshake side, µs (Node ${process.version}, one core, load ${(
    (await import('node:os')).loadavg()[0] ?? 0
  ).toFixed(2)})`,
);
console.log(
  `${'suite'.padEnd(42)}${col('generator', 10)}${col('key pair', 10)}${col('secret', 10)}${col('side', 10)}${col('÷ libsodium', 13)}`,
);
let baseline: number | undefined;
for (const suite of [libsodium, nobleRistretto, nodeX25519, nativeX25519]) {
  const s = side(suite);
  const [g, k, x, whole] = [s.generator, s.keyPair, s.shared, s.whole].map(microseconds) as [
    number,
    number,
    number,
    number,
  ];
  baseline ??= whole;
  console.log(
    `${suite.name.padEnd(42)}${col(g.toFixed(0), 10)}${col(k.toFixed(0), 10)}${col(x.toFixed(0), 10)}${col(whole.toFixed(0), 10)}${col((whole / baseline).toFixed(2), 13)}`,
  );
}

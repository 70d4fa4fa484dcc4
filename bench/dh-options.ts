/**
 * `npm run bench:dh`: what one delivery's X25519 work costs, done each way we could do it.
 * A delivery makes two key pairs (one per side) and derives the shared secret twice; every
 * option below does exactly that, and produces the raw 32-byte public values that would go
 * on the wire, so the figures compare like with like.
 *
 * One process, one core, options taking turns in short windows (several rounds, the median
 * kept), so that a burst of other work on a shared machine moves one window, not a figure.
 *
 *   npm run bench:dh               the table
 *   npm run bench:dh -- --json     the table, then the figures as one JSON line (last)
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { createRequire } from 'node:module';
import { x25519 as noble } from '@noble/curves/ed25519.js';
import { loadProtocol } from './parley.js';
import { median, round } from './stats.js';

/** Each round gives every option this long; the first round is a warm-up, not counted. */
const WINDOW_MS = 250;
const ROUNDS = 6;

/** One delivery's DH work: both sides' shared secrets, to check that the option is right. */
type Delivery = () => readonly [Uint8Array, Uint8Array];

interface DhOption {
  readonly name: string;
  readonly delivery: Delivery;
}

// sodium-native is CommonJS with no types of its own: only the calls measured here.
interface Sodium {
  crypto_scalarmult_base(q: Buffer, n: Buffer): void;
  crypto_scalarmult(q: Buffer, n: Buffer, p: Buffer): void;
}
const sodium = createRequire(import.meta.url)('sodium-native') as Sodium;

const { createKeyPair } = await loadProtocol();

// X25519 ignores the handshake's binding (CPace alone uses it).
const UNBOUND = {
  secret: 'bench',
  initiator: 'alice',
  responder: 'bob',
  initiatorNonce: '00'.repeat(16),
  responderNonce: '11'.repeat(16),
};

const jwkPublic = (raw: Uint8Array): KeyObject =>
  createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
const BASE_POINT = jwkPublic(Buffer.from([9, ...new Array<number>(31).fill(0)]));
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** Runs one side's key pair and the other side's derivation in the order a delivery does. */
const bothSides = <K>(
  keyPair: () => { key: K; public: Uint8Array },
  derive: (key: K, peer: Uint8Array) => Uint8Array,
): Delivery => {
  return () => {
    const initiator = keyPair();
    const responder = keyPair();
    return [derive(responder.key, initiator.public), derive(initiator.key, responder.public)];
  };
};

const derivePeer = (key: KeyObject, peer: Uint8Array): Uint8Array =>
  diffieHellman({ privateKey: key, publicKey: jwkPublic(peer) });

const OPTIONS: readonly DhOption[] = [
  {
    name: "parley's createKeyPair (dist/, hex on the wire)",
    delivery: () => {
      const a = createKeyPair('x25519', UNBOUND);
      const b = createKeyPair('x25519', UNBOUND);
      const unwrap = (e: ReturnType<typeof a.deriveShared>) => {
        if (e._tag === 'Left') throw new Error(e.left.message);
        return e.right;
      };
      return [unwrap(b.deriveShared(a.publicHex)), unwrap(a.deriveShared(b.publicHex))];
    },
  },
  {
    // The floor of the bench's DH bound: never turns a public key into bytes at all.
    name: 'node:crypto key objects, no raw public value',
    delivery: () => {
      const a = generateKeyPairSync('x25519');
      const b = generateKeyPairSync('x25519');
      return [
        diffieHellman({ privateKey: b.privateKey, publicKey: a.publicKey }),
        diffieHellman({ privateKey: a.privateKey, publicKey: b.publicKey }),
      ];
    },
  },
  {
    name: 'node:crypto keygen, public as X25519(k, 9), peer as JWK',
    delivery: bothSides((): { key: KeyObject; public: Uint8Array } => {
      const key = generateKeyPairSync('x25519').privateKey;
      return { key, public: diffieHellman({ privateKey: key, publicKey: BASE_POINT }) };
    }, derivePeer),
  },
  {
    name: 'node:crypto keygen, public as SPKI DER, peer as JWK',
    delivery: bothSides((): { key: KeyObject; public: Uint8Array } => {
      // @types/node knows encodings only for both halves at once; Node accepts one.
      const pair = generateKeyPairSync('x25519', {
        publicKeyEncoding: { format: 'der', type: 'spki' },
      }) as unknown as { privateKey: KeyObject; publicKey: Buffer };
      return { key: pair.privateKey, public: pair.publicKey.subarray(-32) };
    }, derivePeer),
  },
  {
    name: 'node:crypto keygen, public as JWK at keygen, peer as JWK',
    delivery: bothSides((): { key: KeyObject; public: Uint8Array } => {
      const pair = generateKeyPairSync('x25519', {
        publicKeyEncoding: { format: 'jwk' },
      }) as unknown as { privateKey: KeyObject; publicKey: { x: string } };
      return { key: pair.privateKey, public: Buffer.from(pair.publicKey.x, 'base64url') };
    }, derivePeer),
  },
  {
    name: 'node:crypto random scalar as PKCS#8, public as X25519(k, 9)',
    delivery: bothSides((): { key: KeyObject; public: Uint8Array } => {
      const der = Buffer.concat([PKCS8_PREFIX, randomBytes(32)]);
      const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      return { key, public: diffieHellman({ privateKey: key, publicKey: BASE_POINT }) };
    }, derivePeer),
  },
  {
    name: 'sodium-native crypto_scalarmult(_base)',
    delivery: bothSides(
      () => {
        const key = randomBytes(32);
        const pub = Buffer.allocUnsafe(32);
        sodium.crypto_scalarmult_base(pub, key);
        return { key, public: pub };
      },
      (key, peer) => {
        const shared = Buffer.allocUnsafe(32);
        sodium.crypto_scalarmult(shared, key, Buffer.from(peer));
        return shared;
      },
    ),
  },
  {
    name: '@noble/curves x25519 (plain JS)',
    delivery: bothSides(
      () => {
        const key = noble.utils.randomSecretKey();
        return { key, public: noble.getPublicKey(key) };
      },
      (key, peer) => noble.getSharedSecret(key, peer),
    ),
  },
];

/** An option that does not agree with itself measures nothing: check before timing. */
const check = (option: DhOption): void => {
  const [a, b] = option.delivery();
  if (a.length !== 32 || !Buffer.from(a).equals(Buffer.from(b))) {
    throw new Error(`${option.name}: the two sides derived different secrets`);
  }
};

/** Deliveries in `ms`, as µs per delivery. */
const microsPerDelivery = (delivery: Delivery, ms: number): number => {
  const started = performance.now();
  const until = started + ms;
  let done = 0;
  while (performance.now() < until) {
    delivery();
    done += 1;
  }
  return ((performance.now() - started) * 1000) / done;
};

interface OptionFigure {
  readonly option: string;
  readonly us_per_delivery: number;
  /** ÷ 4: two key pairs and two derivations. */
  readonly us_per_operation: number;
  readonly spread: readonly [number, number];
}

const measure = (): OptionFigure[] => {
  const rounds = OPTIONS.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r += 1) {
    OPTIONS.forEach((o, i) => {
      const us = microsPerDelivery(o.delivery, WINDOW_MS);
      if (r > 0) rounds[i]!.push(us);
    });
  }
  return OPTIONS.map((o, i) => {
    const samples = rounds[i]!;
    const us = median(samples, (x) => x);
    return {
      option: o.name,
      us_per_delivery: round(us, 1),
      us_per_operation: round(us / 4, 1),
      spread: [round(Math.min(...samples), 1), round(Math.max(...samples), 1)] as const,
    };
  });
};

const render = (figures: readonly OptionFigure[]): string => {
  const fastest = Math.min(...figures.map((f) => f.us_per_delivery));
  const header = `${'X25519, one delivery = 2 key pairs + 2 derivations'.padEnd(62)}µs/delivery  µs/op   × fastest   min–max`;
  const lines = figures.map(
    (f) =>
      f.option.padEnd(62) +
      String(f.us_per_delivery).padStart(11) +
      String(f.us_per_operation).padStart(7) +
      round(f.us_per_delivery / fastest, 2)
        .toFixed(2)
        .padStart(12) +
      `   ${f.spread[0]}–${f.spread[1]}`,
  );
  return [header, ...lines].join('\n');
};

const main = () => {
  const json = process.argv.includes('--json');
  for (const option of OPTIONS) check(option);
  console.error(`bench:dh: ${OPTIONS.length} options, ${ROUNDS} rounds of ${WINDOW_MS} ms each`);
  const figures = measure();
  console.log(
    `Node ${process.version}, OpenSSL ${process.versions.openssl}, one core, median of ${ROUNDS - 1} rounds`,
  );
  console.log(render(figures));
  if (json) console.log(JSON.stringify({ options: figures }));
};

main();

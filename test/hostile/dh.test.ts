/**
 * Bad Diffie–Hellman public values over real sockets, for the three groups and in both roles: a
 * raw initiator sends them to bob, a raw responder answers alice with them. Each is refused
 * with bad_public_key before any key is derived from it (an empty value is not even hex:
 * malformed_frame), and nothing is delivered.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Group } from '../../src/codecs/formats.js';
import { MODP14_PRIME_HEX } from '../../src/crypto/dh.js';
import { DEFAULT_AUTH_LIMIT } from '../../src/node/defences.js';
import { startNode } from '../support/nodes.js';
import { SECRET, scene } from './support/scene.js';
import { rawInitiator, rawResponder } from './support/speaker.js';
import {
  ATTACKER,
  dial,
  eventually,
  LOCALHOST,
  rawServer,
  tracker,
  within,
} from './support/wire.js';

const track = tracker();
const { setUp, track: keep, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

const P = BigInt(`0x${MODP14_PRIME_HEX}`);
const X25519_P = 2n ** 255n - 19n;
const hexOf = (n: bigint, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
/** x25519 public values are little-endian. */
const littleEndian = (n: bigint) => Buffer.from(hexOf(n, 32), 'hex').reverse().toString('hex');

/** ristretto255 encodings are field elements, little-endian; canonical ones are < p and even. */
const RISTRETTO_P_PLUS_1 = littleEndian(X25519_P + 1n);

const BAD: Record<Group, [string, string][]> = {
  'cpace-ristretto255': [
    ['the identity', '00'.repeat(32)],
    ['1 (odd: a negative field element, never canonical)', littleEndian(1n)],
    ['p + 1 (a field element not reduced mod p)', RISTRETTO_P_PLUS_1],
    ['all ff', 'ff'.repeat(32)],
    [
      "not a point (the draft's Y_i1)",
      '2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c',
    ],
    ['short (31 bytes)', 'e2'.padEnd(62, '0')],
    ['long (33 bytes)', 'e2'.padEnd(66, '0')],
    ['empty (not even hex: malformed_frame)', ''],
  ],
  modp14: [
    ['0', hexOf(0n, 256)],
    ['1', hexOf(1n, 256)],
    ['p − 1', hexOf(P - 1n, 256)],
    ['p', hexOf(P, 256)],
    ['p + 1', hexOf(P + 1n, 256)],
    ['short (255 bytes)', hexOf(2n, 255)],
    ['long (257 bytes)', hexOf(2n, 257)],
    ['empty (not even hex: malformed_frame)', ''],
  ],
  x25519: [
    ['0', littleEndian(0n)],
    ['1', littleEndian(1n)],
    ['p − 1', littleEndian(X25519_P - 1n)],
    ['p', littleEndian(X25519_P)],
    ['p + 1', littleEndian(X25519_P + 1n)],
    ['short (31 bytes)', '09'.padEnd(62, '0')],
    ['long (33 bytes)', '09'.padEnd(66, '0')],
    ['empty (not even hex: malformed_frame)', ''],
  ],
};

const CASES = (['cpace-ristretto255', 'modp14', 'x25519'] as const).flatMap((group) =>
  BAD[group].map(([name, hex]) => [group, name, hex] as const),
);
const codeFor = (hex: string) => (hex === '' ? 'malformed_frame' : 'bad_public_key');

describe('bad DH public values', () => {
  it.each(CASES)('%s %s sent to bob: refused, closed', async (group, _, hex) => {
    const { bob } = await setUp();
    const wire = await dial(track, bob.port, ATTACKER);
    const me = rawInitiator('alice', 'bob', SECRET, group);
    wire.sendFrame(me.hello);
    expect(await wire.next()).toMatchObject({ type: 'hello', from: 'bob' });
    wire.sendFrame({ type: 'dh', group, public: hex });
    // Either the length check (before any arithmetic) or the range check: never an answer dh.
    expect(await wire.next()).toMatchObject({ type: 'error', code: codeFor(hex) });
    await within(wire.closed, 3_000, 'closed');
  });

  it.each(CASES)('%s %s answered to alice: she refuses it, nothing sent', async (group, _, hex) => {
    const answered: Record<string, unknown>[] = [];
    const { port } = await rawServer(track, async (wire) => {
      const bob = rawResponder('bob', SECRET);
      const hello = await wire.next();
      wire.sendFrame(bob.hello(hello));
      await wire.next(); // alice's dh
      wire.sendFrame({ type: 'dh', group, public: hex });
      answered.push(await wire.next());
    });
    const alice = keep(await startNode({ name: 'alice', group }));
    const to = { username: 'bob', host: LOCALHOST, port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to, text: 'hi' }));
    expect(report).toMatchObject({
      outcome: 'not_delivered',
      failure: { cause: 'rejected', code: codeFor(hex) },
    });
    await eventually(() => answered.length > 0, 2_000, 'her error frame');
    expect(answered).toEqual([expect.objectContaining({ type: 'error', code: codeFor(hex) })]);
  });

  it('after all that, bob still serves alice; the bad shares cost the attacker its budget', async () => {
    const { bob, contactDelivers } = await setUp();
    const answers: string[] = [];
    for (const [group, , hex] of CASES) {
      const wire = await dial(track, bob.port, ATTACKER);
      wire.sendFrame(rawInitiator('alice', 'bob', SECRET, group).hello);
      const hello = await wire.next();
      if (hello.type === 'error') {
        answers.push(String(hello.code)); // refused at once: the address spent its budget
        continue;
      }
      wire.sendFrame({ type: 'dh', group, public: hex });
      answers.push(String((await wire.next()).code));
    }
    // A share refused after bob made his key pair cost him that work: it counts as a guess
    // (docs/SECURITY.md, finding 9), so the address is rate_limited after the budget's 5.
    expect(answers.slice(0, DEFAULT_AUTH_LIMIT.maxFailures)).not.toContain('rate_limited');
    expect(answers.slice(-5)).toEqual(Array(5).fill('rate_limited'));
    await contactDelivers();
  });
});

/**
 * Password guessing against bob: the attacker (127.0.0.5) completes the handshake with a wrong
 * secret, over and over. Past 5 failures in 60 s its address is answered rate_limited for 30 s
 * (the defaults), one guess at a time or all at once, while alice (127.0.0.2) gets through.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_LIMIT } from '../../src/node/defences.js';
import { startNode } from '../support/nodes.js';
import { scene } from './support/scene.js';
import { authFrame, rawInitiator } from './support/speaker.js';
import { ATTACKER, dial, LOCALHOST, tracker, within } from './support/wire.js';

const track = tracker();
const { setUp, track: keep, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

const GUESSES = 50;
const { maxFailures } = DEFAULT_AUTH_LIMIT;

const codes = (answers: readonly (string | undefined)[]) =>
  answers.reduce<Record<string, number>>((count, code) => {
    const key = code ?? 'none';
    count[key] = (count[key] ?? 0) + 1;
    return count;
  }, {});

describe('password guessing', () => {
  it(`${GUESSES} wrong proofs one after another: ${maxFailures} are checked, the rest rate_limited; alice gets through at once`, async () => {
    const { bob, contactDelivers } = await setUp();
    const guesser = keep(
      await startNode({ name: 'alice', localAddress: ATTACKER, group: 'x25519' }),
    );
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < GUESSES; i++) {
      const to = { username: 'bob', host: LOCALHOST, port: bob.port, secret: `guess ${i}` };
      const report = await firstValueFrom(guesser.send({ to, text: 'x' }));
      expect(report.outcome).toBe('not_delivered');
      answers.push(
        report.outcome === 'not_delivered' ? (report.failure as { code?: string }).code : undefined,
      );
    }
    expect(answers.slice(0, maxFailures).every((c) => c === 'auth_failed')).toBe(true);
    expect(codes(answers)).toEqual({
      auth_failed: maxFailures,
      rate_limited: GUESSES - maxFailures,
    });
    await contactDelivers();
  });

  it('20 guesses sent at the same instant, each on its own connection: still only 5 are checked', async () => {
    const { bob, contactDelivers } = await setUp();
    // Each guesser takes the handshake as far as its proof, then they all send it at once.
    const guessers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const wire = await dial(track, bob.port, ATTACKER);
        const me = rawInitiator('alice', 'bob', `guess ${i}`, 'x25519');
        wire.sendFrame(me.hello);
        const hello = await wire.next();
        wire.sendFrame(me.dh(hello));
        const dh = await wire.next();
        return { wire, auth: authFrame(me.session(hello, dh), 'initiator') };
      }),
    );
    for (const g of guessers) g.wire.sendFrame(g.auth);
    const answers = await within(
      Promise.all(guessers.map(async (g) => (await g.wire.next()).code as string)),
      5_000,
      'every guess answered',
    );
    expect(codes(answers)).toEqual({ auth_failed: maxFailures, rate_limited: 20 - maxFailures });
    await contactDelivers();
  });
});

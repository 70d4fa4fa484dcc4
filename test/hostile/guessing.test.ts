/**
 * Password guessing against bob: the attacker (127.0.0.5) completes the handshake with a wrong
 * secret, over and over. Past 5 failures in 60 s its address is answered rate_limited for 30 s
 * (the defaults), one guess at a time or all at once, while alice (127.0.0.2) gets through.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { GUARD_DEFAULTS } from '../../src/limits.js';
import { DEFAULT_AUTH_LIMIT } from '../../src/node/defences.js';
import { directoryOf, startNode } from '../support/nodes.js';
import { SECRET, scene } from './support/scene.js';
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
const PER_USERNAME = GUARD_DEFAULTS.perUsername.maxFailures;
const CAROL_SECRET = 'carol knows her own password';

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

  describe('trust is per (address, contact)', () => {
    /** bob knows alice and carol (carol's directory address is `carolIp`); alice has delivered once. */
    const withCarol = async (carolIp = LOCALHOST) => {
      const scene = await setUp();
      const { bob, alice } = scene;
      bob.setDirectory(
        directoryOf([
          { username: 'alice', password: SECRET, port: alice.port },
          { username: 'carol', password: CAROL_SECRET, port: 1, ip: carolIp },
        ]),
      );
      await scene.contactDelivers(); // alice is now trusted from her address, for alice
      const sendAs = async (username: string, from: string, secret: string) => {
        const node = keep(await startNode({ name: username, localAddress: from, group: 'x25519' }));
        const to = { username: 'bob', host: LOCALHOST, port: bob.port, secret };
        return firstValueFrom(node.send({ to, text: 'x' }));
      };
      /** `count` wrong guesses at `username`'s password from `from`: the codes answered. */
      const guesses = async (username: string, from: string, count: number) => {
        const answers: (string | undefined)[] = [];
        for (let i = 0; i < count; i++) {
          const report = await sendAs(username, from, `guess ${i}`);
          answers.push(
            report.outcome === 'not_delivered'
              ? (report.failure as { code?: string }).code
              : report.outcome,
          );
        }
        return answers;
      };
      return { ...scene, sendAs, guesses };
    };

    it("carol's success from 4 addresses is no pass there for guessing at alice: alice's budget holds, alice gets through", async () => {
      const { sendAs, guesses, contactDelivers } = await withCarol();
      const addresses = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14'];
      for (const from of addresses) {
        expect(await sendAs('carol', from, CAROL_SECRET)).toMatchObject({ outcome: 'delivered' });
      }
      // 3 from each (under the per-source budget of 5): 12 guesses at alice in all.
      const answers: (string | undefined)[] = [];
      for (const from of addresses) answers.push(...(await guesses('alice', from, 3)));
      expect(answers.slice(0, PER_USERNAME).every((c) => c === 'auth_failed')).toBe(true);
      expect(codes(answers)).toEqual({
        auth_failed: PER_USERNAME,
        rate_limited: 12 - PER_USERNAME,
      });
      // Trust keeps what it is for: alice, and carol where she authenticated, still get in.
      await contactDelivers();
      expect(await sendAs('carol', addresses[0]!, CAROL_SECRET)).toMatchObject({
        outcome: 'delivered',
      });
    });

    it("carol's directory address exempts guesses at carol only, not at alice", async () => {
      const carolIp = '127.0.0.6';
      const { sendAs, guesses, contactDelivers } = await withCarol(carolIp);
      const before = [
        ...(await guesses('alice', '127.0.0.7', 4)),
        ...(await guesses('alice', '127.0.0.8', 4)),
      ];
      expect(codes(before)).toEqual({ auth_failed: 8 });
      // Two more are checked (alice's budget is 10), then alice's name is limited, there too.
      expect(await guesses('alice', carolIp, 4)).toEqual([
        'auth_failed',
        'auth_failed',
        'rate_limited',
        'rate_limited',
      ]);
      await contactDelivers();
      expect(await sendAs('carol', carolIp, CAROL_SECRET)).toMatchObject({ outcome: 'delivered' });
    });
  });
});

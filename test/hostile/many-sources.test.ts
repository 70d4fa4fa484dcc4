/**
 * An attacker with many addresses (issue 13, findings 3 and 4): silent connections from many
 * sources must not fill the cap against a contact, password guesses must not scale with the
 * number of addresses, and handshakes that do the DH but never prove anything cost the source
 * as a wrong guess does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GUARD_DEFAULTS } from '../../src/limits.js';
import { scene } from './support/scene.js';
import { authFrame, rawInitiator } from './support/speaker.js';
import { ATTACKER, dial, tracker, type Wire, within } from './support/wire.js';

const track = tracker();
const { setUp, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

/** The n-th address of the attacker's own loopback range 127.1.0.0/16. */
const source = (n: number) => `127.1.${Math.floor(n / 250)}.${(n % 250) + 1}`;

describe('many sources', () => {
  it('one silent connection from each of 40 sources (cap 32) cannot keep alice out; silence ends after the hello deadline', async () => {
    const { bob, contactDelivers } = await setUp({ maxConnections: 32 });
    const silent: Wire[] = [];
    for (let n = 0; n < 40; n++) silent.push(await dial(track, bob.port, source(n)));
    const started = Date.now();
    await contactDelivers();
    // The ones left say nothing: each is let go after the hello deadline, with a timeout.
    const last = silent.at(-1) as Wire;
    expect(await within(last.next(), 5_000, 'the hello deadline')).toMatchObject({
      type: 'error',
      code: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(4_500);
  });

  it(`guesses at alice's password from 20 sources: ${GUARD_DEFAULTS.perUsername.maxFailures} are checked; alice, known, still gets through`, async () => {
    const { bob, contactDelivers } = await setUp();
    await contactDelivers(); // alice has authenticated from her address before
    const answers: string[] = [];
    for (let n = 0; n < 20; n++) {
      const wire = await dial(track, bob.port, source(n));
      const me = rawInitiator('alice', 'bob', `guess ${n}`, 'x25519');
      wire.sendFrame(me.hello);
      const hello = await wire.next();
      wire.sendFrame(me.dh(hello));
      const dh = await wire.next();
      // A name past its budget is refused before bob spends his DH on it, at the dh already.
      if (dh.type === 'error') {
        answers.push(dh.code as string);
        continue;
      }
      wire.sendFrame(authFrame(me.session(hello, dh), 'initiator'));
      answers.push((await wire.next()).code as string);
    }
    const checked = GUARD_DEFAULTS.perUsername.maxFailures;
    expect(answers).toEqual([
      ...Array<string>(checked).fill('auth_failed'),
      ...Array<string>(20 - checked).fill('rate_limited'),
    ]);
    await contactDelivers();
  });

  it('handshakes dropped after the DH count as failures: the source is soon refused at once', async () => {
    const { bob, contactDelivers } = await setUp();
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) {
      const wire = await dial(track, bob.port, ATTACKER);
      const me = rawInitiator('mallory', 'bob', 'none', 'modp14');
      wire.sendFrame(me.hello);
      const first = await wire.next();
      if (first.type === 'error') {
        answers.push(first.code as string);
        continue;
      }
      wire.sendFrame(me.dh(first));
      await wire.next(); // bob did his DH
      wire.socket.destroy(); // and gets nothing for it
      await wire.closed;
      answers.push('dropped');
    }
    const perSource = GUARD_DEFAULTS.perSource.maxFailures;
    expect(answers).toEqual([
      ...Array<string>(perSource).fill('dropped'),
      ...Array<string>(8 - perSource).fill('rate_limited'),
    ]);
    await contactDelivers();
  });
});

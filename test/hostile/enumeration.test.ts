/**
 * Issue 20, finding 8: a pinned contact answers a dh in another group with unsupported_group,
 * a stranger (carried on with a random secret) with its dh. Telling them apart was free, so
 * one address could sort names at >1,000 a second. Now a refused group costs a guess, as a
 * stranger's abandoned handshake does: past the address's budget (5 in 60 s) every probe is
 * rate_limited at once, pinned name or not, and the sorting stops.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_LIMIT } from '../../src/node/defences.js';
import { directoryOf } from '../support/nodes.js';
import { SECRET, scene } from './support/scene.js';
import { rawInitiator } from './support/speaker.js';
import { ATTACKER, dial, tracker } from './support/wire.js';

const track = tracker();
const { setUp, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

/** One probe: hello as `name`, then an x25519 dh; bob's first answer after his hello. */
const probe = async (port: number, name: string): Promise<string> => {
  const wire = await dial(track, port, ATTACKER);
  const me = rawInitiator(name, 'bob', 'a guess', 'x25519');
  wire.sendFrame(me.hello);
  const hello = await wire.next();
  if (hello.type === 'error') return `refused ${hello.code}`;
  wire.sendFrame(me.dh(hello));
  const answer = await wire.next();
  wire.socket.destroy(); // the prober learns what it came for and leaves
  return answer.type === 'error' ? String(answer.code) : String(answer.type);
};

describe('username enumeration through the pinned group', () => {
  it('a pinned name and a stranger cost the same budget: past it, every probe is refused', async () => {
    const { bob, alice, contactDelivers } = await setUp();
    bob.setDirectory(
      directoryOf([
        { username: 'alice', password: SECRET, port: alice.port },
        { username: 'carol', password: 'carol and bob', port: 1, group: 'cpace-ristretto255' },
      ]),
    );
    const answers: string[] = [];
    for (let i = 0; i < 12; i++)
      answers.push(await probe(bob.port, i % 2 === 0 ? 'carol' : 'dave'));
    const { maxFailures } = DEFAULT_AUTH_LIMIT;
    // The first ones tell the names apart (that much the budget allows) ...
    expect(answers.slice(0, 2)).toEqual(['unsupported_group', 'dh']);
    // ... and each of them cost one: then the address is refused at once, whatever it claims.
    expect(answers.slice(maxFailures)).toEqual(
      Array(12 - maxFailures).fill('refused rate_limited'),
    );
    await contactDelivers();
  });
});

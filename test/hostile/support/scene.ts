/**
 * The scene of most hostile tests: bob listening on 127.0.0.1, alice his contact dialling from
 * 127.0.0.2, and whatever the attacker does from 127.0.0.5. `contactDelivers` is the question
 * every test ends on: is bob still serving his contacts, and fast?
 */
import { firstValueFrom } from 'rxjs';
import { expect } from 'vitest';
import { DEFAULT_HELLO_DEADLINE_MS } from '../../../src/limits.js';
import type { NodeOptions, ParleyNode } from '../../../src/node/node.js';
import { directoryOf, startNode } from '../../support/nodes.js';
import { CONTACT, LOCALHOST } from './wire.js';

export const SECRET = 'correct horse battery staple';

/**
 * How fast a contact must be served while an attacker is at work. Below the hello deadline
 * on purpose: a contact kept waiting behind an attacker's connection would take at least
 * that long, so this still tells "served at once" from "served when a slot timed out", with
 * room for a loaded machine (a CI box running the suite on two cores).
 */
export const SERVED_WITHIN_MS = DEFAULT_HELLO_DEADLINE_MS - 500;

export const scene = () => {
  const nodes: ParleyNode[] = [];
  const setUp = async (options: Partial<NodeOptions> = {}) => {
    const bob = await startNode({ name: 'bob', ...options });
    const alice = await startNode({ name: 'alice', localAddress: CONTACT, group: 'x25519' });
    nodes.push(bob, alice);
    bob.setDirectory(directoryOf([{ username: 'alice', password: SECRET, port: alice.port }]));
    const toBob = { username: 'bob', host: LOCALHOST, port: bob.port, secret: SECRET };
    /** alice delivers a message to bob within `withinMs`; resolves with the time it took. */
    const contactDelivers = async (withinMs = SERVED_WITHIN_MS) => {
      const started = Date.now();
      const report = await firstValueFrom(alice.send({ to: toBob, text: 'still there?' }));
      const took = Date.now() - started;
      expect(report).toMatchObject({ outcome: 'delivered' });
      expect(took).toBeLessThan(withinMs);
      return took;
    };
    return { bob, alice, toBob, contactDelivers };
  };
  const track = (node: ParleyNode) => {
    nodes.push(node);
    return node;
  };
  const cleanUp = () => Promise.all(nodes.splice(0).map((n) => n.close()));
  return { setUp, track, cleanUp };
};

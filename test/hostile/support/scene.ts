/**
 * The scene of most hostile tests: bob listening on 127.0.0.1, alice his contact dialling from
 * 127.0.0.2, and whatever the attacker does from 127.0.0.5. `contactDelivers` is the question
 * every test ends on: is bob still serving his contacts, and fast?
 */
import { firstValueFrom } from 'rxjs';
import { expect } from 'vitest';
import type { NodeOptions, ParleyNode } from '../../../src/node/node.js';
import { directoryOf, startNode } from '../../support/nodes.js';
import { CONTACT, LOCALHOST } from './wire.js';

export const SECRET = 'correct horse battery staple';

export const scene = () => {
  const nodes: ParleyNode[] = [];
  const setUp = async (options: Partial<NodeOptions> = {}) => {
    const bob = await startNode({ name: 'bob', ...options });
    const alice = await startNode({ name: 'alice', localAddress: CONTACT, group: 'x25519' });
    nodes.push(bob, alice);
    bob.setDirectory(directoryOf([{ username: 'alice', password: SECRET, port: alice.port }]));
    const toBob = { username: 'bob', host: LOCALHOST, port: bob.port, secret: SECRET };
    /** alice delivers a message to bob within `withinMs`; resolves with the time it took. */
    const contactDelivers = async (withinMs = 1_000) => {
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

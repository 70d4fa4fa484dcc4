/**
 * The library as a program uses it (issue 10's findings): a contact in the directory is sent
 * to by name, an unknown name is a clear refusal, and nothing the node publishes holds a
 * contact's password.
 */
import { createServer } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import type { ParleyNode } from '../../src/node/node.js';
import { directoryOf, LOCALHOST, nextReceived, startNode, startPair } from '../support/nodes.js';

const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

it('sends to a contact by name, with the address and password the directory has', async () => {
  const { alice, bob } = await startPair();
  nodes.push(alice, bob);
  const shown = nextReceived(bob);
  const report = await firstValueFrom(alice.send({ to: 'bob', text: 'by name' }));
  expect(report).toMatchObject({ outcome: 'delivered', peer: 'bob' });
  expect((await shown)[0]).toMatchObject({ from: 'alice', text: 'by name' });
  expect(await firstValueFrom(alice.probe('bob'))).toMatchObject({ outcome: 'online' });
});

it('an unknown name is refused at once, saying so; nothing is queued', async () => {
  const { alice, bob } = await startPair();
  nodes.push(alice, bob);
  const report = await firstValueFrom(alice.send({ to: 'carol', text: 'who?' }));
  expect(report).toMatchObject({
    outcome: 'not_delivered',
    reason: 'there is no contact called carol in the directory',
  });
  expect(alice.outbox()).toEqual([]);
});

it('the outbox and the state never hold a password', async () => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, LOCALHOST, () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
  const secret = 'a password that must not leak';
  const alice = await startNode({
    name: 'alice',
    listen: false,
    directory: directoryOf([{ username: 'bob', password: secret, port }]),
  });
  nodes.push(alice);
  const report = await firstValueFrom(alice.send({ to: 'bob', text: 'waits' }));
  expect(report.outcome).toBe('not_delivered');
  expect(alice.outbox()).toHaveLength(1);
  expect(JSON.stringify(alice.outbox())).not.toContain(secret);
  const { directory: _contacts, ...state } = await firstValueFrom(alice.state$);
  expect(JSON.stringify({ ...state, sending: [...state.sending.values()] })).not.toContain(secret);
});

/**
 * Contacts that follow a move, on real sockets: bob restarts on another address and port and
 * sends to alice; alice's entry for bob follows (a `moved` event), the message that waited in
 * her outbox for bob goes to the new address at once (not after its backoff), and so does her
 * next one. A contact whose auth tells nothing new moves nothing.
 */
import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import type { NodeEvent, ParleyNode } from '../../src/node/node.js';
import { directoryOf, LOCALHOST, nextReceived, startNode } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const NEW_HOST = '127.0.0.2';
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

const moved = (node: ParleyNode) =>
  firstValueFrom(
    node.events$.pipe(
      filter((e): e is Extract<NodeEvent, { kind: 'moved' }> => e.kind === 'moved'),
      timeout(5_000),
    ),
  );

it('bob restarts at another address and port: alice follows, and what waited for him reaches him there', async () => {
  const oldBob = await startNode({ name: 'bob' });
  nodes.push(oldBob);
  const oldPort = oldBob.port;
  const alice = await startNode({
    name: 'alice',
    directory: directoryOf([{ username: 'bob', password: SECRET, port: oldPort }]),
    // A message that fails waits at least 30 s by itself.
    retry: { firstMs: 60_000, maxMs: 60_000 },
  });
  nodes.push(alice);
  await oldBob.close();
  nodes.splice(nodes.indexOf(oldBob), 1);
  const first = await firstValueFrom(alice.send({ to: 'bob', text: 'while you were away' }));
  expect(first.outcome).toBe('not_delivered');
  expect(alice.outbox()).toHaveLength(1);

  const bob = await startNode({
    name: 'bob',
    host: NEW_HOST,
    localAddress: NEW_HOST,
    directory: directoryOf([{ username: 'alice', password: SECRET, port: alice.port }]),
  });
  nodes.push(bob);
  const move = moved(alice);
  const waited = nextReceived(bob, 1);
  const started = Date.now();
  const sent = await firstValueFrom(bob.send({ to: 'alice', text: 'I moved' }));
  expect(sent.outcome).toBe('delivered');
  expect(await move).toEqual({
    kind: 'moved',
    username: 'bob',
    from: { ip: LOCALHOST, port: oldPort },
    to: { ip: NEW_HOST, port: bob.port },
  });
  const entry = (await firstValueFrom(alice.state$)).directory.find((c) => c.username === 'bob');
  expect(entry).toEqual({ username: 'bob', password: SECRET, ip: NEW_HOST, port: bob.port });

  const [got] = await waited;
  expect(got?.text).toBe('while you were away');
  expect(Date.now() - started).toBeLessThan(5_000);
  await firstValueFrom(
    alice.state$.pipe(
      filter((s) => s.outbox.length === 0),
      timeout(3_000),
    ),
  );

  const next = nextReceived(bob, 1);
  const report = await firstValueFrom(alice.send({ to: 'bob', text: 'found you' }));
  expect(report.outcome).toBe('delivered');
  expect((await next)[0]?.text).toBe('found you');
});

it('a contact at the address and port of its entry moves nothing', async () => {
  const alice = await startNode({ name: 'alice' });
  nodes.push(alice);
  const bob = await startNode({
    name: 'bob',
    directory: directoryOf([{ username: 'alice', password: SECRET, port: alice.port }]),
  });
  nodes.push(bob);
  alice.setDirectory(directoryOf([{ username: 'bob', password: SECRET, port: bob.port }]));
  const events = firstValueFrom(
    alice.events$.pipe(
      filter((e) => e.kind === 'moved' || (e.kind === 'incoming' && e.event.kind === 'received')),
      take(1),
      toArray(),
    ),
  );
  expect((await firstValueFrom(bob.send({ to: 'alice', text: 'same place' }))).outcome).toBe(
    'delivered',
  );
  expect((await events).map((e) => e.kind)).toEqual(['incoming']);
});

/**
 * Telling the contacts we are up (issue 22.4), on real sockets: a contact that holds a message
 * for us, on a backoff of a minute, sends it within a moment of our start, because our start
 * probes it; and the start's probes are bounded, a few at a time, and said nowhere else.
 */
import { createServer } from 'node:net';
import { filter, firstValueFrom, lastValueFrom, take, timeout, toArray } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import { ANNOUNCE_AT_ONCE } from '../../src/limits.js';
import type { NodeEvent, ParleyNode } from '../../src/node/node.js';
import { directoryOf, LOCALHOST, startNode } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, LOCALHOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

it('a contact holding a message for us sends it within a moment of our start, not after its backoff', async () => {
  const alicePort = await freePort();
  const bob = await startNode({
    name: 'bob',
    directory: directoryOf([{ username: 'alice', password: SECRET, port: alicePort }]),
    // Its next try would be at least 30 s away.
    retry: { firstMs: 60_000, maxMs: 60_000 },
  });
  nodes.push(bob);
  const first = await firstValueFrom(
    bob.send({
      to: { username: 'alice', host: LOCALHOST, port: alicePort, secret: SECRET },
      text: 'while you were away',
    }),
  );
  expect(first.outcome).toBe('not_delivered');

  const started = Date.now();
  const alice = await startNode({
    name: 'alice',
    port: alicePort,
    announce: true,
    directory: directoryOf([{ username: 'bob', password: SECRET, port: bob.port }]),
  });
  nodes.push(alice);
  const [got] = await firstValueFrom(alice.received$.pipe(take(1), toArray(), timeout(5_000)));
  expect(got?.text).toBe('while you were away');
  expect(Date.now() - started).toBeLessThan(5_000);
  // Acked: bob's outbox lets it go.
  await firstValueFrom(
    bob.state$.pipe(
      filter((s) => s.outbox.length === 0),
      timeout(2_000),
    ),
  );
});

it('the start probes at most a few contacts at a time, each once, and not ourselves', async () => {
  const closed = await Promise.all(Array.from({ length: 10 }, freePort));
  const contacts = closed.map((port, i) => ({ username: `c${i}`, password: SECRET, port }));
  const alice = await startNode({
    name: 'alice',
    announce: true,
    directory: directoryOf([{ username: 'alice', password: SECRET, port: 1 }, ...contacts]),
  });
  nodes.push(alice);
  let inFlight = 0;
  let most = 0;
  const probed: string[] = [];
  const reports = alice.events$.pipe(
    filter((e: NodeEvent) => (e.kind === 'queued' || e.kind === 'probe') && e.jobId < 0),
  );
  const done = lastValueFrom(
    reports.pipe(
      filter((e) => {
        if (e.kind === 'queued') most = Math.max(most, ++inFlight);
        if (e.kind === 'probe') {
          inFlight -= 1;
          probed.push(e.report.to.username ?? '?');
        }
        return e.kind === 'probe';
      }),
      take(10),
      timeout(8_000),
    ),
    { defaultValue: undefined },
  );
  await done;
  expect(most).toBeLessThanOrEqual(ANNOUNCE_AT_ONCE);
  expect(probed.sort()).toEqual(contacts.map((c) => c.username).sort());
});

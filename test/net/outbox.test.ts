/**
 * Asynchronous delivery on real sockets: a message to a contact who is away waits in the
 * outbox (on disk when given a store), goes out by itself when the contact is back — on its
 * schedule, or at once when the contact shows it is online — and a wrong password stops the
 * retries until the contact's details change.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import type { NodeOptions, ParleyNode } from '../../src/node/node.js';
import { cryptoRandom } from '../../src/ports/random.js';
import { memoryStore } from '../../src/store/memory.js';
import { createOutboxFile } from '../../src/store/outbox-file.js';
import { directoryOf, LOCALHOST, nextReceived, startNode } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const nodes: ParleyNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A port nothing listens on now (bob's, before bob starts). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, LOCALHOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Randomness as usual, but no jitter: the retry schedule is exact. */
const noJitter = { random: { ...cryptoRandom(), fraction: () => 0 } };

const fast = {
  retry: { firstMs: 150, maxMs: 600 },
  ports: noJitter,
} satisfies Partial<NodeOptions>;

const start = async (options: NodeOptions) => {
  const node = await startNode(options);
  nodes.push(node);
  return node;
};

const alice = (bobPort: number, over: Partial<NodeOptions> = {}) =>
  start({
    name: 'alice',
    listen: false,
    directory: directoryOf([{ username: 'bob', password: SECRET, port: bobPort }]),
    ...fast,
    ...over,
  });

const bob = (port: number, password = SECRET) =>
  start({ name: 'bob', port, directory: directoryOf([{ username: 'alice', password, port: 1 }]) });

const toBob = (port: number) => ({ username: 'bob', host: LOCALHOST, port, secret: SECRET });

it('a message to a contact who is away goes out by itself once the contact is back', async () => {
  const port = await freePort();
  const a = await alice(port);
  const first = await firstValueFrom(a.send({ to: toBob(port), text: 'are you there?' }));
  expect(first.outcome).toBe('not_delivered');
  expect(a.outbox().map((e) => [e.job.msgId, e.attempts])).toEqual([[first.msgId, 1]]);

  const b = await bob(port);
  const [shown] = await nextReceived(b);
  expect(shown).toMatchObject({ from: 'alice', text: 'are you there?', msgId: first.msgId });
  await firstValueFrom(a.state$.pipe(filter((s) => s.outbox.length === 0)));
});

it('survives a restart: the outbox on disk goes out from the next run, shown once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-outbox-'));
  dirs.push(dir);
  const file = join(dir, 'outbox-alice.json');
  const port = await freePort();
  const before = await alice(port, {
    ports: { ...noJitter, store: memoryStore({ outbox: createOutboxFile(file).store }) },
  });
  const report = await firstValueFrom(before.send({ to: toBob(port), text: 'kept on disk' }));
  expect(report.outcome).toBe('not_delivered');
  await before.close();

  const b = await bob(port);
  const shown: string[] = [];
  b.received$.subscribe((m) => shown.push(`${m.msgId} ${m.text}`));
  const after = await alice(port, {
    ports: { ...noJitter, store: memoryStore({ outbox: createOutboxFile(file).store }) },
  });
  expect(after.outbox().map((e) => e.job.msgId)).toEqual([report.msgId]);
  await firstValueFrom(after.state$.pipe(filter((s) => s.outbox.length === 0)));
  expect(shown).toEqual([`${report.msgId} kept on disk`]);
  expect(createOutboxFile(file).store.load()).toEqual([]);
});

it('goes out at once when the contact shows it is online, not at the next scheduled try', async () => {
  const port = await freePort();
  const a = await start({
    name: 'alice',
    directory: directoryOf([{ username: 'bob', password: SECRET, port }]),
    retry: { firstMs: 60_000, maxMs: 60_000 },
    ports: noJitter,
  });
  const waiting = await firstValueFrom(a.send({ to: toBob(port), text: 'when you are back' }));
  expect(waiting.outcome).toBe('not_delivered');
  const b = await bob(port);
  b.setDirectory(directoryOf([{ username: 'alice', password: SECRET, port: a.port }]));
  const shown = nextReceived(b);
  // bob says something to alice: authenticated, so alice knows he is there.
  const hi = { username: 'alice', host: LOCALHOST, port: a.port, secret: SECRET };
  expect((await firstValueFrom(b.send({ to: hi, text: 'hi' }))).outcome).toBe('delivered');
  expect((await shown)[0]).toMatchObject({ text: 'when you are back', msgId: waiting.msgId });
});

it('a password bob refuses is retried on schedule (his error frame proves nothing), and goes once the contact has new details', async () => {
  const port = await freePort();
  const b = await bob(port, 'what bob really has');
  const a = await alice(port);
  const report = await firstValueFrom(a.send({ to: toBob(port), text: 'wrong password' }));
  expect(report.outcome).toBe('not_delivered');
  await new Promise((resolve) => setTimeout(resolve, 700)); // several retry periods
  const [waiting] = a.outbox();
  expect(waiting?.paused).toBe(false);
  expect(waiting?.attempts).toBeGreaterThan(1);

  const shown = nextReceived(b);
  a.setDirectory(directoryOf([{ username: 'bob', password: 'what bob really has', port }]));
  expect((await shown)[0]).toMatchObject({ text: 'wrong password', msgId: report.msgId });
});

it('a message refused because the outbox is full does not join the outbox (the cap holds)', async () => {
  const port = await freePort();
  const a = await alice(port, { maxOutboxMessages: 1 });
  const first = await firstValueFrom(a.send({ to: toBob(port), text: 'the one that fits' }));
  expect(first.outcome).toBe('not_delivered');
  const second = await firstValueFrom(a.send({ to: toBob(port), text: 'one too many' }));
  expect(second).toMatchObject({ outcome: 'not_delivered', failure: { cause: 'refused' } });
  expect(second.outcome !== 'delivered' && second.reason).toMatch(/^the outbox is full/);
  expect(a.outbox().map((e) => e.job.text)).toEqual(['the one that fits']);
});

it('a text too long even for parts is refused when it is sent: never kept, never retried', async () => {
  const port = await freePort();
  const a = await alice(port);
  const events: string[] = [];
  const watching = a.events$.subscribe((e) => events.push(e.kind));
  const report = await firstValueFrom(
    a.send({ to: toBob(port), text: 'é'.repeat(32 * 65_536 + 1) }),
  );
  expect(report).toMatchObject({ outcome: 'not_delivered', failure: { cause: 'refused' } });
  expect(report.outcome !== 'delivered' && report.reason).toBe(
    'the message is 4,194,306 bytes, more than 64 parts of 65,536 bytes can carry; ' +
      'send it as several shorter messages, or as a file by other means',
  );
  // Past the first retry's time (150 ms): nothing waits, nothing was tried again.
  await new Promise((resolve) => setTimeout(resolve, 400));
  watching.unsubscribe();
  expect(a.outbox()).toEqual([]);
  expect(events.filter((kind) => kind === 'queued')).toEqual([]);
});

it('a kept message that cannot go out by itself (its password is not kept) says why, and stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-outbox-'));
  dirs.push(dir);
  const file = join(dir, 'outbox-alice');
  const port = await freePort();
  const byHand = { host: LOCALHOST, port, secret: SECRET };
  const before = await alice(port, {
    ports: { ...noJitter, store: memoryStore({ outbox: createOutboxFile(file).store }) },
  });
  const report = await firstValueFrom(before.send({ to: byHand, text: 'typed by hand' }));
  expect(report.outcome).toBe('not_delivered');
  await before.close();

  const after = await alice(port, {
    ports: { ...noJitter, store: memoryStore({ outbox: createOutboxFile(file).store }) },
  });
  const tried = await firstValueFrom(
    after.state$.pipe(filter((s) => s.outbox.some((e) => e.attempts === 2))),
  );
  const [entry] = tried.outbox;
  expect(entry?.report).toMatchObject({
    outcome: 'not_delivered',
    to: { username: undefined, host: LOCALHOST, port },
    reason: `the password for ${LOCALHOST}:${port} is not known (a destination typed by hand keeps it only while parley runs); retry it with a destination`,
  });
  expect(entry?.nextTryAt).toBeGreaterThan(0);
});

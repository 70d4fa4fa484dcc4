/**
 * The history across kill -9 (issue 18): a receiver (`parley listen --json`) killed at once
 * after it acked, or at a random moment of an exchange, then started again; the sender retries
 * what was not delivered. `parley history --json` then holds every message its sender saw
 * delivered and every one shown on stdout, each once, in order, and no secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import type { DeliveryReport } from '../../src/node/reports.js';
import { parley, SECRET, startListener, stateDir, useScene } from '../e2e/harness.js';
import { directoryOf, LOCALHOST, startNode } from '../support/nodes.js';

const scene = useScene();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

const ROUNDS = 6;
/** Retries of one message before the round fails (each one a fresh connection to bob). */
const MAX_RETRIES = 10;

it('kill -9 of the receiver right after its ack, or at any moment: each message once, none missing', {
  timeout: 90_000,
}, async () => {
  const alice = await startNode({ name: 'alice', retry: { firstMs: 600_000, maxMs: 600_000 } });
  closers.push(() => alice.close());
  // A new port for bob (setDirectory) resumes alice's waiting messages at once: her own retry
  // may deliver one before the test's, which is then told there is none left to retry.
  const deliveredByAlice = new Set<string>();
  const watch = alice.events$.subscribe((e) => {
    if (e.kind === 'delivery' && e.report.outcome === 'delivered')
      deliveredByAlice.add(e.report.msgId);
  });
  closers.push(async () => watch.unsubscribe());
  const bobFile = scene.folder().directory('bob.json', [{ username: 'alice', port: alice.port }]);
  const shownOnStdout: string[] = [];
  const delivered: string[] = [];
  const startBob = async () => {
    const { run, port } = await startListener('bob', bobFile, ['--json']);
    alice.setDirectory(directoryOf([{ username: 'bob', password: SECRET, port }]));
    return { run, to: { username: 'bob', host: LOCALHOST, port, secret: SECRET } };
  };
  const collect = (stdout: string) => {
    for (const line of stdout.split('\n').filter((l) => l !== '')) {
      shownOnStdout.push(JSON.parse(line).msg_id);
    }
  };

  let bob = await startBob();
  for (let round = 0; round < ROUNDS; round++) {
    const text = `message ${round}`;
    const sent = firstValueFrom(alice.send({ to: bob.to, text }));
    // Even rounds: killed the moment alice hears "delivered"; odd: at a random moment.
    if (round % 2 === 1) await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
    let report: DeliveryReport = round % 2 === 0 ? await sent : ({} as DeliveryReport);
    bob.run.child.kill('SIGKILL');
    await bob.run.exited();
    if (round % 2 === 1) report = await sent;
    collect(bob.run.stdout());
    bob = await startBob();
    // Bounded, and paced: a retry that keeps failing fails the test with its reasons instead
    // of spinning (an unbounded loop of refusals once alice closed starved the worker in CI).
    const reasons: string[] = [];
    const msgId = report.msgId;
    const done = () => report.outcome === 'delivered' || deliveredByAlice.has(msgId);
    for (let tries = 0; !done() && tries < MAX_RETRIES; tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 200));
      report = await firstValueFrom(alice.retry(report.msgId, bob.to));
      if (report.outcome !== 'delivered') reasons.push(report.reason);
    }
    expect(done(), `round ${round}: ${reasons.join('; ')}`).toBe(true);
    delivered.push(msgId);
  }
  bob.run.child.kill('SIGTERM');
  await bob.run.exited();
  collect(bob.run.stdout());

  const listing = parley(['history', '--name', 'bob', '--with', 'alice', '--json']);
  expect(await listing.exited()).toBe(0);
  const kept = listing
    .stdout()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const ids = kept.map((r) => r.msg_id);
  // Each once, in the order sent; every delivered one and every one shown is there.
  expect(ids).toEqual(delivered);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of shownOnStdout) expect(ids).toContain(id);
  expect(kept.map((r) => r.text)).toEqual([...Array(ROUNDS).keys()].map((n) => `message ${n}`));
  expect(readFileSync(join(stateDir(), 'history-bob'), 'utf8')).not.toContain(SECRET);
});

it('one writer per name: a second listen of bob keeps its history in memory, and says so', {
  timeout: 30_000,
}, async () => {
  const bobFile = scene.folder().directory('bob.json', [{ username: 'alice', port: 1 }]);
  const first = await startListener('bob', bobFile, ['--json']);
  const second = await startListener('bob', bobFile, ['--json']);
  await second.run.waitFor(
    'stderr',
    /the history is kept in memory too \(another parley \(pid \d+\) is running as bob/,
  );
  expect(first.run.stderr()).not.toContain('history');
});

/**
 * Issue 20, finding 2: two processes of one name both held the outbox lock when started at
 * the same instant (the lock was created empty, then its pid written; a rival read it empty,
 * took it for stale and removed it), and two `send --queue` at once both said "queued" while
 * one message was lost. Real processes, started together at a barrier.
 * PARLEY_LOCK_RUNS=N repeats each case N times (the figure in docs/SECURITY.md).
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyError } from '../../src/errors.js';
import { readOutboxFile } from '../../src/store/outbox-file.js';
import { readHandedIn } from '../../src/store/outbox-inbox.js';
import { bundled, startAtOnce } from './support/starts.js';

const STARTS = 50;
const RUNS = Number(process.env.PARLEY_LOCK_RUNS ?? 1);

let work: string;
let lockStarter: string;
let queueStarter: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'parley-lock-race-'));
  lockStarter = bundled('lock-starter.ts', work);
  queueStarter = bundled('queue-starter.ts', work);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

/** A pid no process has: one far above any pid_max. */
const DEAD = 2 ** 30;

it.each([
  ['no lock', undefined],
  ['a stale lock left behind', `${DEAD} 12345 0123456789abcdef\n`],
  ['a stale lock of the older format (pid only)', `${DEAD}\n`],
])(
  `${STARTS} simultaneous starts, %s: exactly one holds the lock (${RUNS} run(s))`,
  async (_, left) => {
    const holders: number[] = [];
    const others = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const lock = join(work, `lock-outbox-alice-${run}-${Math.random()}`);
      if (left !== undefined) writeFileSync(lock, left, { mode: 0o600 });
      const results = (await startAtOnce(
        children,
        lockStarter,
        Array.from({ length: STARTS }, () => [lock]),
      )) as { held?: true; code?: string }[];
      holders.push(results.filter((r) => r.held === true).length);
      for (const r of results) if (r.held !== true) others.add(String(r.code));
    }
    if (RUNS > 1) {
      console.log(`one holder in ${holders.filter((h) => h === 1).length} of ${RUNS} runs`);
    }
    expect(holders).toEqual(holders.map(() => 1));
    // The others were told who holds it, never that taking it failed.
    expect([...others]).toEqual(['lock_held']);
  },
  120_000 + RUNS * 30_000,
);

it(
  `8 simultaneous send --queue of one name lose no message (${RUNS} run(s))`,
  async () => {
    for (let run = 0; run < RUNS; run++) {
      const stateDir = join(work, `state-${run}-${Math.random()}`);
      mkdirSync(stateDir);
      chmodSync(stateDir, 0o700);
      const ids = Array.from(
        { length: 8 },
        (_, i) => `00000000-0000-4000-8000-${String(run * 100 + i).padStart(12, '0')}`,
      );
      const results = (await startAtOnce(
        children,
        queueStarter,
        ids.map((id) => [id]),
        { ...process.env, PARLEY_STATE_DIR: stateDir },
      )) as { route: string; kept: E.Either<ParleyError, string> }[];
      // Nobody held the outbox when they looked: each went to keep it in the file itself.
      expect(results.map((r) => r.route)).toEqual(ids.map(() => 'outbox'));
      // Each was told it was kept, and it is: in the outbox file, or handed in beside it.
      expect(results.filter((r) => E.isLeft(r.kept))).toEqual([]);
      const inFile = readOutboxFile(join(stateDir, 'outbox-alice'));
      if (E.isLeft(inFile)) throw new Error(inFile.left.message);
      const handedIn = readHandedIn(join(stateDir, 'inbox-alice')).found;
      const kept = [...inFile.right, ...handedIn.map((f) => f.entry)].map((e) => e.job.msgId);
      expect(kept.sort()).toEqual(ids);
    }
  },
  60_000 + RUNS * 30_000,
);

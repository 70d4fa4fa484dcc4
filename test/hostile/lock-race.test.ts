/**
 * Issue 20, finding 2: two processes of one name both held the outbox lock when started at
 * the same instant (the lock was created empty, then its pid written; a rival read it empty,
 * took it for stale and removed it). 50 real processes are started, wait at a barrier, and
 * take the lock at once: exactly one may hold it, with and without a stale lock left behind.
 * PARLEY_LOCK_RUNS=N repeats each case N times (the figure in docs/SECURITY.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

const STARTS = 50;
const RUNS = Number(process.env.PARLEY_LOCK_RUNS ?? 1);
const STARTER = fileURLToPath(new URL('./support/lock-starter.ts', import.meta.url));

let work: string;
let script: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'parley-lock-race-'));
  script = join(work, 'lock-starter.mjs');
  // Bundled once to plain JavaScript: 50 starts under a TypeScript loader would take minutes.
  buildSync({
    entryPoints: [STARTER],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: script,
  });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

interface Start {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly next: (count: number) => Promise<void>;
}

const start = (lock: string): Start => {
  const child = spawn(process.execPath, [script, lock], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines: string[] = [];
  let pending = '';
  const waiters: (() => void)[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (pending + chunk.toString()).split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a start said ${lines.join('|')}`)), 60_000);
      const check = () => {
        if (lines.length >= count) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { child, lines, next };
};

/** 50 starts at once against `lock`: how many held it, and what the others were told. */
const race = async (lock: string): Promise<{ held: number; told: string[] }> => {
  const starts = Array.from({ length: STARTS }, () => start(lock));
  await Promise.all(starts.map((s) => s.next(1)));
  for (const s of starts) s.child.stdin?.write('go\n');
  await Promise.all(starts.map((s) => s.next(2)));
  const results = starts.map((s) => JSON.parse(s.lines[1] ?? 'null') as Record<string, unknown>);
  const exited = starts.map((s) => new Promise((resolve) => s.child.once('exit', resolve)));
  for (const s of starts) s.child.stdin?.end();
  await Promise.all(exited);
  return {
    held: results.filter((r) => r.held === true).length,
    told: [...new Set(results.filter((r) => r.held !== true).map((r) => String(r.kind)))],
  };
};

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
      const { held, told } = await race(lock);
      holders.push(held);
      for (const kind of told) others.add(kind);
    }
    if (RUNS > 1) {
      console.log(`one holder in ${holders.filter((h) => h === 1).length} of ${RUNS} runs`);
    }
    expect(holders).toEqual(holders.map(() => 1));
    // The others were told who holds it, never that taking it failed.
    expect([...others]).toEqual(['held']);
  },
  120_000 + RUNS * 20_000,
);

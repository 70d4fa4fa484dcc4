/**
 * /add killed at any moment never leaves a truncated or empty directory: a process adds
 * contacts the way /add does and is killed with SIGKILL at random moments; after each kill
 * the file must read back as a whole directory, the original entries (and their unknown
 * fields) first, then the contacts added so far, with no gap.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, expect, it } from 'vitest';
import { parseDirectory } from '../../src/codecs/directory.js';

const ADDER = fileURLToPath(new URL('./support/adder.ts', import.meta.url));
const ROUNDS = 12;

const ORIGINAL = [
  { username: 'alice', password: 'a', port: 5001, ip: '127.0.0.1', note: 'kept' },
  { username: 'bob', password: 'b', port: '5002', ip: '127.0.0.1' },
];

const dirs: string[] = [];
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts the adder and kills it once it has added `after` contacts plus a random moment. */
const runAndKill = (path: string, after: number, extraMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ADDER, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let errors = '';
    child.stderr?.on('data', (d: Buffer) => {
      errors += d.toString();
    });
    let lines = 0;
    child.stdout?.on('data', (d: Buffer) => {
      lines += d.toString().split('\n').length - 1;
      if (lines >= after && !child.killed) setTimeout(() => child.kill('SIGKILL'), extraMs);
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      children.delete(child);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the adder ended by itself (${code}): ${errors}`));
    });
  });

it(`survives ${ROUNDS} kills at random moments of /add: never truncated, never empty`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-add-kill-'));
  dirs.push(dir);
  const path = join(dir, 'contacts.json');
  writeFileSync(path, JSON.stringify(ORIGINAL, null, 2), { mode: 0o600 });

  let before = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await runAndKill(path, 1 + (round % 3), Math.floor(Math.random() * 8));
    const text = readFileSync(path, 'utf8');
    const parsed = parseDirectory(text, path);
    expect(E.isRight(parsed), `round ${round}: ${text.slice(0, 200)}`).toBe(true);
    const entries = JSON.parse(text) as { username: string; note?: string }[];
    expect(entries.slice(0, 2)).toEqual([
      ORIGINAL[0],
      { ...ORIGINAL[1], port: 5002 }, // rewritten with the port normalised
    ]);
    // Every contact the file holds came whole, in order, once.
    const added = entries.slice(2).map((e) => e.username);
    expect(added).toEqual(added.map((_, i) => `contact${i + 2}`));
    expect(added.length).toBeGreaterThanOrEqual(before);
    before = added.length;
  }
  // A kill between writing the temporary file and renaming it may leave that file behind;
  // it never stands in for the directory itself.
  const litter = readdirSync(dir).filter((name) => name !== 'contacts.json');
  expect(litter.every((name) => /^\.contacts\.json\.[0-9a-f]{12}\.tmp$/.test(name))).toBe(true);
});

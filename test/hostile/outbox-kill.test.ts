/**
 * The outbox file killed at any moment of a busy run loses nothing that was said (issue 20,
 * finding 7): a process changes an outbox large enough to keep a log of changes, printing
 * each change once its save returned, and is killed with SIGKILL at random moments, folds of
 * the log included. After each kill the file must read back as the outbox after the last
 * change said, or the one after it (saved, not yet said), with its messages' tries.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import type { NodeState } from '../../src/node/state.js';
import { createOutboxFile } from '../../src/store/outbox-file.js';
import { stateAfter } from './support/outbox-saver.js';

const SAVER = fileURLToPath(new URL('./support/outbox-saver.ts', import.meta.url));
const ROUNDS = 6;

const dirs: string[] = [];
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the saver on `path`, kills it after `after` changes said and `extraMs`; the last said. */
const runAndKill = (path: string, after: number, extraMs: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SAVER, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let errors = '';
    child.stderr?.on('data', (d: Buffer) => {
      errors += d.toString();
    });
    let out = '';
    let said = -1;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      if (lines.length > 0) said = Number(lines.at(-1));
      if (said >= after && !child.killed) setTimeout(() => child.kill('SIGKILL'), extraMs);
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      children.delete(child);
      // What it printed before the kill but we had not read yet counts as said too.
      if (out !== '') said = Math.max(said, Number(out));
      if (signal === 'SIGKILL') resolve(said);
      else reject(new Error(`the saver ended by itself (${code}): ${errors}`));
    });
  });

const waitingIn = (state: NodeState) => state.outbox.map((e) => `${e.job.msgId} ${e.attempts}`);

it(`a busy outbox killed ${ROUNDS} times at random moments keeps every change it said`, async () => {
  for (let round = 0; round < ROUNDS; round += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'parley-outbox-kill-'));
    dirs.push(dir);
    const path = join(dir, 'outbox-alice');
    const said = await runAndKill(path, 20 + Math.floor(Math.random() * 300), Math.random() * 5);
    const reopened = createOutboxFile(path);
    expect(reopened.warnings).toEqual([]);
    const found = reopened.store.load().map((e) => `${e.job.msgId} ${e.attempts}`);
    const candidates = [waitingIn(stateAfter(said)), waitingIn(stateAfter(said + 1))];
    expect(candidates).toContainEqual(found);
  }
}, 120_000);

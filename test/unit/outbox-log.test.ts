/**
 * The outbox file's log of changes (issue 20, finding 7) and the bound on a kept text
 * (finding 15): a change costs its own bytes, however full the outbox; what the log says is
 * found again after a restart; a line cut by a crash, or a log of another copy, is ignored; a
 * line that cannot be read is set aside with what follows it; a text that could never go out
 * is set aside alone.
 */
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { EMPTY_DIRECTORY } from '../../src/codecs/directory.js';
import { MAX_PLAINTEXT_BYTES } from '../../src/limits.js';
import { initialNodeState, type NodeState, type OutboxEntry } from '../../src/node/state.js';
import { createOutboxFile, logFileOf, readOutboxFile } from '../../src/store/outbox-file.js';

const dirs: string[] = [];
const fileIn = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-outbox-log-'));
  dirs.push(dir);
  return join(dir, 'outbox-alice');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const toBob = { username: 'bob', host: '127.0.0.1', port: 5002 };
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const entry = (n: number, text: string, attempts = 1): OutboxEntry => ({
  job: { msgId: id(n), text, to: toBob, group: 'cpace-ristretto255' },
  report: {
    outcome: 'not_delivered',
    msgId: id(n),
    to: toBob,
    failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
    reason: 'bob is not reachable',
    elapsedMs: 1,
  },
  attempts,
  nextTryAt: 0,
  paused: false,
});

const stateOf = (outbox: readonly OutboxEntry[]): NodeState => ({
  ...initialNodeState(EMPTY_DIRECTORY),
  outbox,
});

/** Small files are rewritten whole: these tests want the log at any size. */
const LOGGED = { foldAtBytes: 0 };

const waiting = (path: string) =>
  createOutboxFile(path)
    .store.load()
    .map((e) => [e.job.msgId, e.job.text.length, e.attempts]);

it('a small outbox file is rewritten whole at each change, with no log beside it', () => {
  const path = fileIn();
  const { store } = createOutboxFile(path);
  store.save(stateOf([entry(1, 'one')]));
  store.save(stateOf([entry(1, 'one', 2), entry(2, 'two')]));
  expect(readdirSync(join(path, '..'))).toEqual(['outbox-alice']);
  expect(readFileSync(path, 'utf8')).toContain('"text": "two"');
  expect(waiting(path)).toEqual([
    [id(1), 3, 2],
    [id(2), 3, 1],
  ]);
});

it('a change to a full outbox appends a few hundred bytes; the file itself is not rewritten', () => {
  const path = fileIn();
  const big = 'x'.repeat(16_384);
  const outbox = Array.from({ length: 100 }, (_, n) => entry(n, big));
  const { store } = createOutboxFile(path);
  store.save(stateOf(outbox));
  const copy = readFileSync(path, 'utf8');
  expect(copy.length).toBeGreaterThan(100 * 16_384);

  // One more try of message 7, then message 3 delivered.
  const tried = outbox.map((e, n) => (n === 7 ? { ...e, attempts: 2 } : e));
  store.save(stateOf(tried));
  store.save(stateOf(tried.filter((_, n) => n !== 3)));
  expect(readFileSync(path, 'utf8')).toBe(copy);
  const log = readFileSync(logFileOf(path), 'utf8');
  expect(Buffer.byteLength(log)).toBeLessThan(600);
  expect(statSync(logFileOf(path)).mode & 0o777).toBe(0o600);

  const after = waiting(path);
  expect(after).toHaveLength(99);
  expect(after.find(([msgId]) => msgId === id(7))).toEqual([id(7), 16_384, 2]);
  expect(after.find(([msgId]) => msgId === id(3))).toBeUndefined();
  expect(readOutboxFile(path)).toMatchObject({ right: { length: 99 } });
});

it('a new message is put whole, in order, holding no secret; reopened, the first save folds the log into a fresh copy', () => {
  const path = fileIn();
  const { store } = createOutboxFile(path, 0, LOGGED);
  store.save(stateOf([entry(1, 'first')]));
  store.save(stateOf([entry(1, 'first'), entry(2, 'second')]));
  expect(readFileSync(logFileOf(path), 'utf8')).toContain('"text":"second"');
  expect(readFileSync(logFileOf(path), 'utf8')).not.toMatch(/secret|password/);
  expect(waiting(path)).toEqual([
    [id(1), 5, 1],
    [id(2), 6, 1],
  ]);

  const again = createOutboxFile(path);
  again.store.save(stateOf([...again.store.load()]));
  expect(readdirSync(join(path, '..'))).toEqual(['outbox-alice']);
  expect(JSON.parse(readFileSync(path, 'utf8')).messages).toHaveLength(2);
});

it('the log is folded into a fresh copy once it outgrows the copy', () => {
  const path = fileIn();
  const { store } = createOutboxFile(path, 0, LOGGED);
  store.save(stateOf([entry(1, 'one')]));
  const logBytes = () => {
    try {
      return statSync(logFileOf(path)).size;
    } catch {
      return 0;
    }
  };
  const sizes: number[] = [];
  for (let attempts = 2; attempts <= 40; attempts += 1) {
    store.save(stateOf([entry(1, 'one', attempts)]));
    sizes.push(logBytes());
    // Never much more than the copy it goes with: one record past it at most.
    expect(logBytes()).toBeLessThan(statSync(path).size + 300);
  }
  expect(sizes).toContain(0); // folded at least once
  expect(waiting(path)).toEqual([[id(1), 3, 40]]);
});

it('a last line cut by a crash, and a log left from another copy, are ignored', () => {
  const path = fileIn();
  const { store } = createOutboxFile(path, 0, LOGGED);
  store.save(stateOf([entry(1, 'one')]));
  store.save(stateOf([entry(1, 'one', 2)]));
  appendFileSync(logFileOf(path), '{"op":"drop","msg_id":"0000');
  expect(waiting(path)).toEqual([[id(1), 3, 2]]);

  const stale = readFileSync(logFileOf(path), 'utf8').replace(/"snapshot":"\w+"/, '"snapshot":"0"');
  writeFileSync(logFileOf(path), stale);
  expect(waiting(path)).toEqual([[id(1), 3, 1]]);
});

it('a log line that cannot be read: the changes before it are kept; the log is moved aside and said', () => {
  const path = fileIn();
  const { store } = createOutboxFile(path, 0, LOGGED);
  store.save(stateOf([entry(1, 'one')]));
  store.save(stateOf([entry(1, 'one', 2)]));
  appendFileSync(logFileOf(path), '{"op":"update","msg_id":"nope"}\n');
  const opened = createOutboxFile(path, 42);
  expect(opened.store.load().map((e) => e.attempts)).toEqual([2]);
  expect(opened.warnings).toEqual([
    `${logFileOf(path)}: line 3: field 'msg_id': expected a lowercase UUID (8-4-4-4-12 hex), got "nope"; the changes before it are kept; moved to ${logFileOf(path)}.unreadable-42`,
  ]);
  expect(readFileSync(`${logFileOf(path)}.unreadable-42`, 'utf8')).toContain('"nope"');
});

const stored = (n: number, text: string) => ({
  msg_id: id(n),
  to: toBob,
  text,
  group: 'cpace-ristretto255',
  attempts: 1,
  paused: false,
});

it('a kept text longer than a message may carry is set aside alone, and said; the rest wait as before', () => {
  const path = fileIn();
  const huge = 'y'.repeat(5_000_000);
  writeFileSync(
    path,
    JSON.stringify({ version: 1, messages: [stored(1, 'ok'), stored(2, huge), stored(3, 'ok')] }),
  );
  expect(readOutboxFile(path)).toMatchObject({ right: { length: 2 } });
  const opened = createOutboxFile(path, 42);
  expect(opened.store.load().map((e) => e.job.msgId)).toEqual([id(1), id(3)]);
  expect(opened.warnings).toEqual([
    `${path}: 1 message has a text longer than a message may carry (${MAX_PLAINTEXT_BYTES} bytes of UTF-8) and could never go out; moved to ${path}.too-long-42, the rest wait as before`,
  ]);
  const aside = JSON.parse(readFileSync(`${path}.too-long-42`, 'utf8'));
  expect(aside.messages.map((m: { text: string }) => m.text.length)).toEqual([5_000_000]);
  expect(statSync(`${path}.too-long-42`).mode & 0o777).toBe(0o600);
});

it('a text of exactly 65,536 bytes is kept; one byte more, put in the log, is set aside', () => {
  const path = fileIn();
  const { store } = createOutboxFile(path, 0, LOGGED);
  const exactly = entry(1, 'é'.repeat(MAX_PLAINTEXT_BYTES / 2));
  store.save(stateOf([exactly]));
  store.save(stateOf([{ ...exactly, attempts: 2 }])); // the log started
  appendFileSync(
    logFileOf(path),
    `${JSON.stringify({ op: 'put', message: stored(2, 'z'.repeat(MAX_PLAINTEXT_BYTES + 1)) })}\n`,
  );
  const opened = createOutboxFile(path, 7);
  expect(opened.store.load().map((e) => e.job.msgId)).toEqual([id(1)]);
  expect(opened.warnings).toEqual([expect.stringContaining(`moved to ${path}.too-long-7`)]);
});

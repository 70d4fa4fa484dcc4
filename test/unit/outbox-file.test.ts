import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { EMPTY_DIRECTORY } from '../../src/codecs/directory.js';
import { initialNodeState, type NodeState } from '../../src/node/state.js';
import { createOutboxFile } from '../../src/store/outbox-file.js';

const dirs: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-outbox-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MSG = '0b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a';
const FIRST = '1b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a';
const toBob = { username: 'bob', host: '127.0.0.1', port: 5002 };

/** A state with one message failed once and one on its first try. */
const pending = (): NodeState => ({
  ...initialNodeState(EMPTY_DIRECTORY),
  sending: new Map([
    [7, { msgId: FIRST, text: 'on its way', to: toBob, group: 'x25519' as const }],
  ]),
  outbox: [
    {
      job: { msgId: MSG, text: 'hello bob', to: toBob, group: 'x25519' },
      report: {
        outcome: 'not_delivered',
        msgId: MSG,
        to: toBob,
        failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
        reason: 'bob is not reachable',
        elapsedMs: 3,
      },
      attempts: 2,
      nextTryAt: 12_345,
      paused: false,
    },
  ],
});

it('keeps every pending message across a restart, with its id, attempts and pause', () => {
  const path = join(folder(), 'outbox-alice.json');
  createOutboxFile(path).store.save(pending());
  const again = createOutboxFile(path);
  expect(again.warnings).toEqual([]);
  expect(
    again.store.load().map((e) => [e.job.msgId, e.job.text, e.attempts, e.paused, e.nextTryAt]),
  ).toEqual([
    [MSG, 'hello bob', 2, false, 0],
    [FIRST, 'on its way', 0, false, 0],
  ]);
  expect(again.store.load()[0]?.job.to).toEqual(toBob);
});

it('keeps when each message was written, so that its retries carry that time (issue 22.1)', () => {
  const path = join(folder(), 'outbox-alice.json');
  const state = pending();
  const written = {
    ...state,
    outbox: state.outbox.map((e) => ({ ...e, job: { ...e.job, writtenAt: 1_700_000_000_123 } })),
  };
  createOutboxFile(path).store.save(written);
  const [kept, firstTry] = createOutboxFile(path).store.load();
  expect(kept?.job.writtenAt).toBe(1_700_000_000_123);
  // A message of an older file, or without a time, is stamped when it is next taken.
  expect(firstTry?.job.writtenAt).toBeUndefined();
});

it('is private (0600), holds no secret, and leaves no temporary file behind', () => {
  const dir = folder();
  const path = join(dir, 'outbox-alice.json');
  createOutboxFile(path).store.save(pending());
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readFileSync(path, 'utf8')).not.toMatch(/secret|password/);
  expect(readdirSync(dir)).toEqual(['outbox-alice.json']);
});

it('an unreadable file is moved aside, never overwritten, and said', () => {
  const dir = folder();
  const path = join(dir, 'outbox-alice.json');
  writeFileSync(path, '{"version":1,"messages":[{"msg_id":"nope"}]}');
  const opened = createOutboxFile(path, 42);
  expect(opened.store.load()).toEqual([]);
  expect(opened.warnings).toEqual([
    `${path}: field 'messages.0.msg_id': expected a lowercase UUID (8-4-4-4-12 hex), got "nope"; moved to ${path}.unreadable-42, starting with an empty outbox`,
  ]);
  expect(readFileSync(`${path}.unreadable-42`, 'utf8')).toContain('"nope"');
});

/** The state of `pending()` with its failed message paused (a password mismatch). */
const paused = (): NodeState => {
  const state = pending();
  return {
    ...state,
    outbox: state.outbox.map((e) => ({ ...e, paused: true, nextTryAt: undefined })),
  };
};

const pausedAfterRestart = (path: string, directoryChangedAtMs?: number) =>
  createOutboxFile(path, 0, { directoryChangedAtMs })
    .store.load()
    .filter((e) => e.job.msgId === MSG)
    .map((e) => e.paused);

it('a paused message stays paused across a restart while the directory file has not changed since', () => {
  const path = join(folder(), 'outbox-alice.json');
  createOutboxFile(path, 0, { now: () => 5_000 }).store.save(paused());
  expect(JSON.parse(readFileSync(path, 'utf8')).messages[0]).toMatchObject({
    paused: true,
    paused_at: 5_000,
  });
  expect(pausedAfterRestart(path, 4_000)).toEqual([true]);
  expect(pausedAfterRestart(path)).toEqual([true]);
});

it('a paused message goes out again at start when the directory file changed after it paused (its password may be corrected)', () => {
  const path = join(folder(), 'outbox-alice.json');
  createOutboxFile(path, 0, { now: () => 5_000 }).store.save(paused());
  expect(pausedAfterRestart(path, 6_000)).toEqual([false]);
});

it('keeps when a message paused from save to save, not the time of the last save', () => {
  const path = join(folder(), 'outbox-alice.json');
  let clock = 5_000;
  const { store } = createOutboxFile(path, 0, { now: () => clock });
  store.save(paused());
  clock = 9_000;
  store.save(paused());
  expect(pausedAfterRestart(path, 6_000)).toEqual([false]);
  // And from one run to the next: reopened, it still says 5,000.
  const reopened = createOutboxFile(path, 0, { now: () => 20_000, directoryChangedAtMs: 1_000 });
  reopened.store.save({ ...paused(), outbox: reopened.store.load().filter((e) => e.paused) });
  expect(JSON.parse(readFileSync(path, 'utf8')).messages[0]).toMatchObject({ paused_at: 5_000 });
});

it('a paused message from a file without pause times goes out again once the directory is known to have changed', () => {
  const path = join(folder(), 'outbox-alice.json');
  createOutboxFile(path, 0, { now: () => 5_000 }).store.save(paused());
  const old = JSON.parse(readFileSync(path, 'utf8'));
  for (const m of old.messages) delete m.paused_at;
  writeFileSync(path, JSON.stringify(old));
  expect(pausedAfterRestart(path)).toEqual([true]);
  expect(pausedAfterRestart(path, 1)).toEqual([false]);
});

/**
 * Issue 20, finding 11: the inbox folder, where other processes of our name hand in messages.
 * A FIFO there hung the holder; a link was followed; a file that could not be removed was sent
 * again every second; a second file with one msg_id was dropped without a word. Now only a
 * regular file of ours is read (opened without following links or blocking, checked with
 * fstat, bounded), and every refusal is said once, the file kept aside for a person.
 */
import { spawnSync } from 'node:child_process';
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterEach, expect, it, vi } from 'vitest';
import { MessageText, mint, Username, Uuid } from '../../src/codecs/formats.js';
import { MAX_HANDED_FILE_BYTES } from '../../src/limits.js';
import type { OutboxEntry } from '../../src/node/state.js';
import {
  type HandedMessage,
  handedIn$,
  handIn,
  readHandedIn,
} from '../../src/store/outbox-inbox.js';

/** Paths whose removal (rmSync) or renaming (renameSync) fails, as a read-only folder would. */
const refuse = vi.hoisted(() => ({ remove: new Set<string>(), rename: new Set<string>() }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const denied = (path: unknown) =>
    Object.assign(new Error(`EACCES: permission denied, '${String(path)}'`), { code: 'EACCES' });
  return {
    ...fs,
    rmSync: (path: string, options?: object) => {
      if (refuse.remove.has(String(path))) throw denied(path);
      return fs.rmSync(path, options);
    },
    renameSync: (from: string, to: string) => {
      if (refuse.rename.has(String(from))) throw denied(from);
      return fs.renameSync(from, to);
    },
  };
});

const dirs: string[] = [];
const inbox = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-inbox-hostile-'));
  dirs.push(dir);
  const path = join(dir, 'inbox-alice');
  mkdirSync(path, { mode: 0o700 });
  return path;
};
afterEach(() => {
  refuse.remove.clear();
  refuse.rename.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const handed = (n: number, over: Partial<HandedMessage> = {}): HandedMessage => ({
  version: 1,
  msg_id: mint(Uuid, ID(n)),
  to: { username: mint(Username, 'bob'), host: '127.0.0.1', port: 5002 },
  text: mint(MessageText, `message ${n}`),
  group: 'x25519',
  attempts: 1,
  paused: false,
  ...over,
});
const nameOf = (n: number, at = n) => `${String(at).padStart(15, '0')}-${ID(n)}.json`;

/** `looks` looks of the holder (1 s apart, on virtual time): the batches taken, what was said. */
const looks = (dir: string, count: number) => {
  const told: string[] = [];
  const batches: string[][] = [];
  const scheduler = new VirtualTimeScheduler(VirtualAction, (count - 1) * 1_000);
  const sub = handedIn$(
    dir,
    (w) => told.push(w),
    (entries: readonly OutboxEntry[]) => entries.length,
    () => E.right(undefined),
    { pollMs: 1_000, scheduler },
  ).subscribe((b) => batches.push(b.map((e) => e.job.msgId)));
  scheduler.flush();
  sub.unsubscribe();
  return { told, batches };
};

it('a FIFO is not waited on: moved aside, said; the messages beside it are taken', () => {
  const dir = inbox();
  handIn(dir, handed(2), 2);
  const fifo = join(dir, nameOf(1));
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  // Before, reading it blocked the holder for good (nobody writes to it).
  const { found, warnings } = readHandedIn(dir);
  expect(found.map((f) => f.entry.job.msgId)).toEqual([ID(2)]);
  expect(warnings).toEqual([`${fifo}: not a regular file; moved to ${fifo}.unreadable`]);
});

it('a link is not followed, even to a message that would decode: moved aside, its target untouched', () => {
  const dir = inbox();
  const elsewhere = join(dir, '..', 'planted.json');
  const text = JSON.stringify(handed(1));
  writeFileSync(elsewhere, text);
  const link = join(dir, nameOf(1));
  symlinkSync(elsewhere, link);
  const { found, warnings } = readHandedIn(dir);
  expect(found).toEqual([]);
  expect(warnings).toEqual([`${link}: a link, not followed; moved to ${link}.unreadable`]);
  expect(readFileSync(elsewhere, 'utf8')).toBe(text);
});

it.skipIf(process.getuid?.() !== 0)(
  "a file of another user's is not taken (as root, who could have been handed one)",
  () => {
    const dir = inbox();
    const path = handIn(dir, handed(1), 1);
    chownSync(path, 4242, 4242);
    const { found, warnings } = readHandedIn(dir);
    expect(found).toEqual([]);
    expect(warnings).toEqual([
      `${path}: it belongs to another user (uid 4242); moved to ${path}.unreadable`,
    ]);
  },
);

it('a file larger than any message is not read', () => {
  const dir = inbox();
  const path = join(dir, nameOf(1));
  writeFileSync(path, ' '.repeat(MAX_HANDED_FILE_BYTES + 1));
  expect(readHandedIn(dir).warnings).toEqual([
    `${path}: ${MAX_HANDED_FILE_BYTES + 1} bytes, more than any message (${MAX_HANDED_FILE_BYTES}); moved to ${path}.unreadable`,
  ]);
});

it('a file that cannot be removed is moved aside once and said, never taken again', () => {
  const dir = inbox();
  const path = handIn(dir, handed(1), 1);
  refuse.remove.add(path);
  const { told, batches } = looks(dir, 3);
  expect(batches).toEqual([[ID(1)]]);
  expect(told).toEqual([
    `${path} is in the outbox but could not be removed (EACCES: permission denied, '${path}'); moved to ${path}.taken, so that it is not taken again`,
  ]);
  expect(readdirSync(dir)).toEqual([`${basename(path)}.taken`]);
});

it('one that cannot be moved either is taken once this run, and said once', () => {
  const dir = inbox();
  const path = handIn(dir, handed(1), 1);
  refuse.remove.add(path);
  refuse.rename.add(path);
  const { told, batches } = looks(dir, 4);
  // Before, it was taken again at every look (every second): sent again once delivered.
  expect(batches).toEqual([[ID(1)]]);
  expect(told).toEqual([
    expect.stringMatching(
      /could not be removed .*; it could not be moved aside .*: it is not taken again while parley runs; remove it by hand$/,
    ),
  ]);
});

it('a second file with a msg_id already taken is said and moved aside, at the same look or later', () => {
  const dir = inbox();
  handIn(dir, handed(1), 1);
  const second = handIn(dir, handed(1, { text: mint(MessageText, 'another text') }), 2);
  const { told, batches } = looks(dir, 1);
  expect(batches).toEqual([[ID(1)]]);
  expect(told).toEqual([
    `${second} holds message ${ID(1)} again, already taken: not sent twice; moved to ${second}.duplicate`,
  ]);

  const later = inbox();
  handIn(later, handed(1), 1);
  const told2: string[] = [];
  const batches2: string[][] = [];
  const scheduler = new VirtualTimeScheduler(VirtualAction, 0);
  const sub = handedIn$(
    later,
    (w) => told2.push(w),
    (entries) => entries.length,
    () => E.right(undefined),
    { pollMs: 1_000, scheduler },
  ).subscribe((b) => batches2.push(b.map((e) => e.job.msgId)));
  scheduler.flush();
  const third = handIn(later, handed(1), 3);
  scheduler.maxFrames = 1_000;
  scheduler.flush();
  sub.unsubscribe();
  expect(batches2).toEqual([[ID(1)]]);
  expect(told2).toEqual([
    `${third} holds message ${ID(1)} again, already taken: not sent twice; moved to ${third}.duplicate`,
  ]);
});

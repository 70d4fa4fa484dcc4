import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_DIRECTORY } from '../../src/codecs/directory.js';
import { MessageText, mint, Username, Uuid } from '../../src/codecs/formats.js';
import { parleyError } from '../../src/errors.js';
import { resolveDeps } from '../../src/node/options.js';
import { parley$ } from '../../src/node/pipeline.js';
import {
  initialNodeState,
  type NodeState,
  type OutboxEntry,
  reduceNodeState,
  roomFor,
} from '../../src/node/state.js';
import {
  type Admit,
  type HandedMessage,
  handedIn$,
  handIn,
  type Keep,
  readHandedIn,
} from '../../src/store/outbox-inbox.js';

const dirs: string[] = [];
const inbox = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-inbox-'));
  dirs.push(dir);
  return join(dir, 'inbox-alice');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MSG = '0b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a';
const OTHER = '1b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a';
const everything = (entries: readonly OutboxEntry[]) => entries.length;
/** An outbox file that takes every write. */
const kept = () => E.right(undefined);
const handed = (over: Partial<HandedMessage> = {}): HandedMessage => ({
  version: 1,
  msg_id: mint(Uuid, MSG),
  to: { username: mint(Username, 'bob'), host: '127.0.0.1', port: 5002 },
  text: mint(MessageText, 'for bob, from a script'),
  group: 'x25519',
  attempts: 1,
  paused: false,
  ...over,
});

it('a message handed in is one private file, read back as an outbox entry that goes out now', () => {
  const dir = inbox();
  const path = handIn(dir, handed());
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const { found, warnings } = readHandedIn(dir);
  expect(warnings).toEqual([]);
  expect(
    found.map((f) => [f.entry.job, f.entry.attempts, f.entry.paused, f.entry.nextTryAt]),
  ).toEqual([
    [
      {
        msgId: MSG,
        text: mint(MessageText, 'for bob, from a script'),
        to: { username: 'bob', host: '127.0.0.1', port: 5002 },
        group: 'x25519',
      },
      1,
      false,
      0,
    ],
  ]);
});

it('a file that does not decode is moved aside and said; a write in progress is left alone', () => {
  const dir = inbox();
  const kept = handIn(dir, handed(), 1_000);
  writeFileSync(join(dir, 'nonsense.json'), '{"version":1,"msg_id":"nope"}');
  writeFileSync(join(dir, `.${MSG}.json.abc.tmp`), '{"half');
  const { found, warnings } = readHandedIn(dir);
  expect(found).toHaveLength(1);
  expect(warnings).toEqual([
    expect.stringMatching(
      /nonsense\.json: field 'msg_id': .*; moved to .*nonsense\.json\.unreadable$/,
    ),
  ]);
  expect(readdirSync(dir).sort()).toEqual(
    [basename(kept), 'nonsense.json.unreadable', `.${MSG}.json.abc.tmp`].sort(),
  );
});

it('the holder takes each message once: its file goes only after the batch was taken', async () => {
  const dir = inbox();
  handIn(dir, handed());
  const told: string[] = [];
  let filesWhenTaken: string[] = [];
  const batch = await new Promise<readonly OutboxEntry[]>((resolve) => {
    // The first look is at once (scheduled), the next not within this test.
    const sub = handedIn$(dir, (w) => told.push(w), everything, kept, {
      pollMs: 60_000,
    }).subscribe((entries) => {
      filesWhenTaken = readdirSync(dir);
      resolve(entries);
      sub.unsubscribe();
    });
  });
  expect(batch).toHaveLength(1);
  expect(filesWhenTaken).toEqual([expect.stringMatching(new RegExp(`^\\d{15}-${MSG}\\.json$`))]);
  expect(readdirSync(dir)).toEqual([]);
  expect(told).toEqual([]);
});

it('a message handed in twice, or already waiting, is kept once', () => {
  const dir = inbox();
  handIn(dir, handed());
  const [entry] = readHandedIn(dir).found.map((f) => f.entry);
  if (entry === undefined) throw new Error('nothing read');
  const once = reduceNodeState(initialNodeState(EMPTY_DIRECTORY), {
    kind: 'restored',
    outbox: [entry, entry],
  });
  expect(once.outbox).toHaveLength(1);
  expect(reduceNodeState(once, { kind: 'restored', outbox: [entry] })).toBe(once);
});

it('takes what the outbox has room for, oldest first; the rest wait in the folder, said once', async () => {
  const dir = inbox();
  handIn(dir, handed({ msg_id: mint(Uuid, OTHER), text: mint(MessageText, 'second') }), 2_000);
  handIn(dir, handed({ text: mint(MessageText, 'first') }), 1_000);
  const told: string[] = [];
  const batches: string[][] = [];
  await new Promise<void>((resolve) => {
    let looks = 0;
    const sub = handedIn$(
      dir,
      (w) => told.push(w),
      (entries) => Math.min(1, entries.length),
      kept,
      {
        pollMs: 20,
      },
    ).subscribe((entries) => {
      batches.push(entries.map((e) => e.job.text));
      looks += 1;
      if (looks === 2) {
        sub.unsubscribe();
        resolve();
      }
    });
  });
  expect(batches).toEqual([['first'], ['second']]);
  expect(told).toEqual([`the outbox is full: messages handed in wait in ${dir} until some go out`]);
  expect(readdirSync(dir)).toEqual([]);
});

it('the room the node gives the inbox is what its caps leave, in messages and in bytes', () => {
  const dir = inbox();
  handIn(dir, handed({ text: mint(MessageText, 'x'.repeat(10)) }), 1_000);
  handIn(
    dir,
    handed({ msg_id: mint(Uuid, OTHER), text: mint(MessageText, 'y'.repeat(10)) }),
    2_000,
  );
  const entries = readHandedIn(dir).found.map((f) => f.entry);
  const empty = initialNodeState(EMPTY_DIRECTORY);
  expect(roomFor(empty, entries, { maxMessages: 10, maxBytes: 1_000 })).toBe(2);
  expect(roomFor(empty, entries, { maxMessages: 1, maxBytes: 1_000 })).toBe(1);
  expect(roomFor(empty, entries, { maxMessages: 10, maxBytes: 15 })).toBe(1);
  const one = reduceNodeState(empty, { kind: 'restored', outbox: entries.slice(0, 1) });
  expect(roomFor(one, entries.slice(1), { maxMessages: 1, maxBytes: 1_000 })).toBe(0);
});

it('a handed-in text too long for one message is refused with its file, never retried in vain', () => {
  const dir = inbox();
  mkdirSync(dir, { recursive: true });
  const tooLong = { ...handed(), text: 'x'.repeat(65_537) };
  writeFileSync(join(dir, `000000000001000-${MSG}.json`), JSON.stringify(tooLong));
  const { found, warnings } = readHandedIn(dir);
  expect(found).toEqual([]);
  expect(warnings).toEqual([
    expect.stringContaining("field 'text': expected a text of at most 65536 bytes of UTF-8"),
  ]);
});

describe('a full disk (issue 20, finding 3)', () => {
  const noSpace = 'ENOSPC: no space left on device, write';

  it('a handed-in file stays until the outbox file holds its message, said once, taken once', () => {
    const dir = inbox();
    handIn(dir, handed());
    let full = true;
    const keep = () => (full ? E.left(parleyError('outbox_file', noSpace)) : E.right(undefined));
    const told: string[] = [];
    const batches: (readonly OutboxEntry[])[] = [];
    const scheduler = new VirtualTimeScheduler(VirtualAction, 2_500);
    const sub = handedIn$(dir, (w) => told.push(w), everything, keep, {
      pollMs: 1_000,
      scheduler,
    }).subscribe((b) => batches.push(b));
    scheduler.flush();
    // Three looks: taken at the first, its file still there at the last.
    expect(batches).toHaveLength(1);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(told).toEqual([
      `messages handed in are not yet in the outbox file (${noSpace}): they stay in ${dir} until it can be written`,
    ]);
    full = false;
    scheduler.maxFrames = 3_500;
    scheduler.flush();
    expect(readdirSync(dir)).toEqual([]);
    expect(batches).toHaveLength(1);
    sub.unsubscribe();
  });

  it('in the pipeline: a save that fails leaves the file, said; the next save that works removes it', () => {
    const dir = inbox();
    // Paused: it waits, and nothing tries to send it.
    handIn(dir, handed({ paused: true }));
    let full = true;
    const saved: string[][] = [];
    const resolved = resolveDeps({ name: 'alice' });
    if (E.isLeft(resolved)) throw new Error(resolved.left.message);
    const scheduler = new VirtualTimeScheduler(VirtualAction, 500);
    const told: string[] = [];
    const outbox = {
      load: () => [],
      save: (state: NodeState) => {
        if (full) throw new Error(noSpace);
        saved.push(state.outbox.map((e) => e.job.msgId));
      },
      handedIn: (admit: Admit, keep: Keep) =>
        handedIn$(dir, (w) => told.push(w), admit, keep, { pollMs: 1_000, scheduler }),
    };
    const { ports } = resolved.right;
    const deps = { ...resolved.right, ports: { ...ports, store: { ...ports.store, outbox } } };
    const errors: string[] = [];
    const running = parley$({}, deps).subscribe((out) => {
      if (out.kind === 'error') errors.push(out.message);
    });
    scheduler.flush();
    // Said at each save that failed (the one at start, the one with the message).
    expect(new Set(errors)).toEqual(
      new Set([`could not keep the outbox on disk (${noSpace}); it is kept in memory`]),
    );
    expect(told).toEqual([expect.stringContaining(`they stay in ${dir}`)]);
    expect(readdirSync(dir)).toHaveLength(1);
    full = false;
    scheduler.maxFrames = 1_500;
    scheduler.flush();
    expect(saved).toEqual([[MSG]]);
    expect(readdirSync(dir)).toEqual([]);
    running.unsubscribe();
  });
});

import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, isObservable } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import type { Effect, Inbound, ReceivedMessage } from '../../src/actors/types.js';
import { mint, Username } from '../../src/codecs/formats.js';
import { answerFrom, type DeliverySink, dedupeKey } from '../../src/node/dedupe.js';
import { createSeenFile } from '../../src/store/seen-file.js';

// Keys as the responder makes them: a message id and its authenticated sender.
const ID_A = dedupeKey('alice', '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f');
const ID_B = dedupeKey('carol', '00000000-0000-4000-8000-000000000001');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-seen-'));
  dirs.push(dir);
  return dir;
};
const tempFile = () => join(tempDir(), 'seen');
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('remembers across a restart: a msg_id seen before is not fresh after', () => {
  const path = tempFile();
  const before = createSeenFile(path, { nowMs: 1_000 });
  expect(before.remember(ID_A, 1_000)).toBe(true);
  expect(before.remember(ID_A, 1_001)).toBe(false);
  const after = createSeenFile(path, { nowMs: 2_000 });
  expect(after.remember(ID_A, 2_000)).toBe(false);
  expect(after.remember(ID_B, 2_000)).toBe(true);
});

it('forgets what fell out of the window, and compacts the file at start', () => {
  const path = tempFile();
  createSeenFile(path, { nowMs: 0, windowMs: 100 }).remember(ID_A, 0);
  const later = createSeenFile(path, { nowMs: 500, windowMs: 100 });
  expect(readFileSync(path, 'utf8')).toBe('');
  expect(later.remember(ID_A, 500)).toBe(true);
});

it('skips lines it cannot read instead of failing', () => {
  const path = tempFile();
  writeFileSync(path, `garbage\n${ID_A} 10\n${ID_B} notanumber\n`);
  const memory = createSeenFile(path, { nowMs: 20 });
  expect(memory.size).toBe(1);
  expect(memory.remember(ID_A, 20)).toBe(false);
});

it('an id whose append failed is not remembered: remember throws, and the retry is fresh', () => {
  const path = tempFile();
  const memory = createSeenFile(path, { nowMs: 0 });
  rmSync(path);
  mkdirSync(path); // every append now fails, even for root
  expect(() => memory.remember(ID_A, 1)).toThrow(
    `cannot record a message id in ${path} (EISDIR: illegal operation on a directory, open '${path}'); ` +
      'the message was not acknowledged, so its sender keeps it and can retry once the file can be written',
  );
  expect(memory.size).toBe(0);
  rmSync(path, { recursive: true });
  expect(memory.remember(ID_A, 2)).toBe(true);
  expect(memory.remember(ID_A, 3)).toBe(false);
  expect(readFileSync(path, 'utf8')).toBe(`${ID_A} 2\n`);
});

it('compaction never follows a link planted at the old fixed temporary name', () => {
  const dir = tempDir();
  const path = join(dir, 'seen');
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, `${path}.tmp`);
  const memory = createSeenFile(path, { nowMs: 0, capacity: 2 });
  memory.remember(ID_A, 0);
  memory.remember(ID_B, 0); // the second append compacts
  expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  expect(lstatSync(path).isSymbolicLink()).toBe(false);
  expect(readFileSync(path, 'utf8')).toBe(`${ID_A} 0\n${ID_B} 0\n`);
  // The temporary files had random names, and none is left behind.
  expect(readdirSync(dir).sort()).toEqual(['seen', 'seen.tmp', 'victim']);
});

it('refuses a seen file that is a link, and writes nothing where it points', () => {
  const dir = tempDir();
  const path = join(dir, 'seen');
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, path);
  expect(() => createSeenFile(path, { nowMs: 0 })).toThrow(/ELOOP/);
  expect(readFileSync(victim, 'utf8')).toBe('precious\n');
});

// The ack follows what the reader got: the id goes into the file only once the message was
// handed over; a sink that fails leaves it out, so the sender's retry is shown.
const MSG_ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const MESSAGE: ReceivedMessage = {
  from: 'alice',
  to: 'bob',
  text: 'hi',
  msgId: MSG_ID,
  timestamp: '2026-01-01T00:00:00.000Z',
  clockSkewMs: 0,
};
const DELIVER: Effect<never> = {
  kind: 'deliver',
  sender: mint(Username, 'alice'),
  msgId: MSG_ID,
  atMs: 1,
  message: MESSAGE,
};
const answered = async (answer: ReturnType<typeof answerFrom>): Promise<Inbound | undefined> => {
  const reply = answer(DELIVER);
  return isObservable(reply) ? firstValueFrom(reply) : reply;
};

it('the id is appended only after the sink succeeded, never before', async () => {
  const path = tempFile();
  const inFileWhenHanded: boolean[] = [];
  const sink: DeliverySink = async () => {
    inFileWhenHanded.push(readFileSync(path, 'utf8').includes(MSG_ID));
    await new Promise((r) => setTimeout(r, 5));
    inFileWhenHanded.push(readFileSync(path, 'utf8').includes(MSG_ID));
  };
  const reply = await answered(answerFrom(createSeenFile(path, { nowMs: 0 }), { deliver: sink }));
  expect(inFileWhenHanded).toEqual([false, false]);
  expect(reply).toEqual({ kind: 'recorded', fresh: true });
  expect(readFileSync(path, 'utf8')).toContain(MSG_ID);
});

it('a sink that throws or rejects leaves the seen file without the id, and nothing is acked', async () => {
  const path = tempFile();
  const memory = createSeenFile(path, { nowMs: 0 });
  const told: unknown[] = [];
  const onFailure = (err: unknown) => told.push(err);
  const throwing: DeliverySink = () => {
    throw new Error('ENOSPC: no space left on device');
  };
  const rejecting: DeliverySink = () => Promise.reject(new Error('write EPIPE'));
  for (const deliver of [throwing, rejecting]) {
    const reply = await answered(answerFrom(memory, { deliver, onFailure }));
    expect(reply).toMatchObject({ kind: 'invalid', error: { code: 'internal' } });
    expect(readFileSync(path, 'utf8')).not.toContain(MSG_ID);
  }
  expect(told).toHaveLength(2);
  // Once the reader is back, the retry is shown and recorded.
  const reply = await answered(answerFrom(memory, { deliver: async () => {} }));
  expect(reply).toEqual({ kind: 'recorded', fresh: true });
  expect(readFileSync(path, 'utf8')).toContain(MSG_ID);
});

it('shown but not recorded (the file broke): not acked, the retry not shown again, acked once it records', async () => {
  const path = tempFile();
  const memory = createSeenFile(path, { nowMs: 0 });
  let shown = 0;
  const answer = answerFrom(memory, {
    deliver: () => {
      shown += 1;
    },
  });
  rmSync(path);
  mkdirSync(path); // every append fails now
  const notRecorded = { kind: 'invalid', error: { code: 'internal' } };
  expect(await answered(answer)).toMatchObject(notRecorded);
  expect(await answered(answer)).toMatchObject(notRecorded);
  expect(shown).toBe(1);
  rmSync(path, { recursive: true });
  // The file can be written again: the retry is recorded and acked as seen, not shown again.
  expect(await answered(answer)).toEqual({ kind: 'recorded', fresh: false });
  expect(shown).toBe(1);
  expect(readFileSync(path, 'utf8')).toContain(MSG_ID);
});

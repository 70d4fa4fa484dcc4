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
import { afterEach, expect, it } from 'vitest';
import { dedupeKey } from '../../src/node/dedupe.js';
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

/**
 * A corrupt directory file: reading it gives one clear sentence (which file, where, what is
 * wrong, never a password) and leaves the file exactly as it was, byte for byte.
 * (`/add` interrupted by a kill belongs to the console's tests, with the code that writes.)
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDirectory } from '../../src/codecs/directory.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SECRET = 's3cret-Pa55';
const ENTRY = `{"username": "bob", "password": "${SECRET}", "port": 5001, "ip": "127.0.0.1"}`;

const CORRUPT: [string, Buffer | string, string][] = [
  [
    'cut short by a crash',
    `[\n  ${ENTRY.slice(0, 40)}`,
    'invalid JSON at line 2, column 35: a string is not closed',
  ],
  ['empty', '', 'invalid JSON at line 1, column 1: the file ends too early'],
  [
    'binary garbage',
    Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a]),
    'invalid JSON at line 1, column 1: unexpected character',
  ],
  ['a trailing comma', `[${ENTRY},]`, 'invalid JSON at line 1, column 82: a value was expected'],
  [
    'an object, not a list',
    ENTRY,
    'expected a JSON list of contacts [{username, password, port, ip}, …], got an object',
  ],
  [
    'a port out of range',
    `[${ENTRY.replace('5001', '70000')}]`,
    'entry 1 (bob): port 70000 is not a number between 1 and 65535',
  ],
  [
    'a password of the wrong type',
    `[${ENTRY.replace(`"${SECRET}"`, '42')}]`,
    'entry 1 (bob): password must be a string of 1–1024 characters',
  ],
  [
    'a username twice',
    `[${ENTRY}, ${ENTRY}]`,
    "entry 2 (bob): username 'bob' is already used by entry 1",
  ],
];

describe('a corrupt directory file', () => {
  it.each(CORRUPT)('%s: a clear error, the file untouched', (_, bytes, sentence) => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-dir-'));
    dirs.push(dir);
    const path = join(dir, 'contacts.json');
    writeFileSync(path, bytes, { mode: 0o600 });
    const before = { bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs };

    const parsed = parseDirectory(readFileSync(path, 'utf8'), path);
    expect(E.isLeft(parsed) && parsed.left.message).toBe(`${path}: ${sentence}`);
    expect(E.isLeft(parsed) && parsed.left.message).not.toContain(SECRET);

    expect(readFileSync(path).equals(before.bytes)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
  });
});

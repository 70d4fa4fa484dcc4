/**
 * The directory file against any text: parseDirectory answers with a directory or one clear
 * sentence, never an exception, and the sentence never holds a password.
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseDirectory, serialiseDirectory } from '../../src/codecs/directory.js';
import { changeField, fieldChange, type Json, RUNS } from '../hostile/support/arbitraries.js';

const SECRET = 'pw-Zq7!unique-secret';
const VALID = [
  { username: 'alice', password: SECRET, port: 5001, ip: '127.0.0.1' },
  { username: 'bob', password: `${SECRET}-2`, port: '5002', ip: 'localhost', note: 'kept' },
];
const VALID_TEXT = JSON.stringify(VALID, null, 2);

/** Whatever the text, an Either; an error names the file and never shows a password. */
const expectAnswer = (text: string) => {
  const parsed = parseDirectory(text, 'contacts.json');
  if (E.isLeft(parsed)) {
    expect(parsed.left.message.startsWith('contacts.json: ')).toBe(true);
    expect(parsed.left.message).not.toContain(SECRET);
    expect(parsed.left.message.length).toBeLessThan(400);
  }
  return parsed;
};

describe('parseDirectory never throws', () => {
  it('on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        expectAnswer(s);
      }),
      RUNS,
    );
  });

  it('on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectAnswer(JSON.stringify(value) ?? 'null');
      }),
      RUNS,
    );
  });

  it('on a valid file with fields bent, removed or retyped', () => {
    const bent = fc.record({
      entry: fc.nat({ max: VALID.length - 1 }),
      changes: fc.array(fieldChange, { minLength: 1, maxLength: 3 }),
      extra: fc.array(fc.jsonValue(), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(bent, ({ entry, changes, extra }) => {
        const entries: unknown[] = VALID.map((e, i) =>
          i === entry ? changes.reduce(changeField, e as Json) : e,
        );
        expectAnswer(JSON.stringify([...entries, ...extra]));
      }),
      RUNS,
    );
  });

  it('on a valid file cut short anywhere (a crash while writing it)', () => {
    fc.assert(
      fc.property(fc.nat({ max: VALID_TEXT.length - 1 }), (at) => {
        const parsed = expectAnswer(VALID_TEXT.slice(0, at));
        expect(E.isLeft(parsed)).toBe(true);
      }),
      RUNS,
    );
  });

  it('on a valid file with bytes flipped', () => {
    const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 127 })), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(flips, (changes) => {
        const chars = [...VALID_TEXT];
        for (const [i, x] of changes) {
          const j = i % chars.length;
          chars[j] = String.fromCharCode(chars[j]!.charCodeAt(0) ^ x);
        }
        expectAnswer(chars.join(''));
      }),
      RUNS,
    );
  });
});

describe('a valid directory', () => {
  it('reads back the same after it is written', () => {
    const parsed = parseDirectory(VALID_TEXT);
    expect(E.isRight(parsed)).toBe(true);
    if (E.isRight(parsed)) {
      expect(parseDirectory(serialiseDirectory(parsed.right))).toEqual(parsed);
    }
  });
});

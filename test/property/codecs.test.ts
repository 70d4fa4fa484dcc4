/**
 * The codecs against any input: they answer with a value, never an exception, and every valid
 * frame survives the wire unchanged, however the bytes are cut into chunks.
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/codecs/errors.js';
import type { Frame } from '../../src/codecs/frames.js';
import { decodeLine, encodeFrame } from '../../src/codecs/line.js';
import { createLineSplitter } from '../../src/streams/framing.js';
import {
  anyFrame,
  changeField,
  fieldChange,
  type Json,
  leafPaths,
  RUNS,
} from '../hostile/support/arbitraries.js';
import { vectorFrames } from '../support/actors.js';
import { VECTORS } from '../support/vectors.js';

const VALID_FRAMES = VECTORS.flatMap((v) => Object.values(vectorFrames(v))) as Json[];

/** True when a string has no lone surrogate (it can be written as UTF-8 as it is). */
const isWellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s;

/** Whatever decodeLine answers is a frame or a protocol error a peer can be sent. */
const expectAnswer = (line: string) => {
  const decoded = decodeLine(line);
  if (E.isLeft(decoded)) {
    expect(ErrorCode.is(decoded.left.code)).toBe(true);
    // Sent back in an error frame: short, whatever the line held.
    expect(decoded.left.message.length).toBeLessThan(300);
  }
  return decoded;
};

describe('decodeLine never throws', () => {
  it('on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
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

  it('on any JSON object that claims to be a frame', () => {
    const claims = fc.record({
      type: fc.constantFrom('hello', 'dh', 'auth', 'message', 'bye', 'ack', 'error'),
      rest: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(
      fc.property(claims, ({ type, rest }) => {
        expectAnswer(JSON.stringify({ ...rest, type }));
      }),
      RUNS,
    );
  });

  it('on the vector frames with fields bent, removed or retyped', () => {
    const bent = fc.record({
      frame: fc.constantFrom(...VALID_FRAMES),
      changes: fc.array(fieldChange, { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(bent, ({ frame, changes }) => {
        const changed = changes.reduce(changeField, frame);
        expectAnswer(JSON.stringify(changed));
      }),
      RUNS,
    );
  });

  it('on a vector frame cut short or with bytes flipped in its text', () => {
    const cut = fc.record({
      frame: fc.constantFrom(...VALID_FRAMES),
      at: fc.nat(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(cut, ({ frame, at, flips }) => {
        const text = JSON.stringify(frame);
        const chars = [...text.slice(0, at % (text.length + 1))];
        for (const [i, x] of flips) {
          if (chars.length === 0) break;
          const j = i % chars.length;
          chars[j] = String.fromCharCode((chars[j]!.charCodeAt(0) ^ x) & 0xffff);
        }
        expectAnswer(chars.join(''));
      }),
      RUNS,
    );
  });
});

describe('encode and decode', () => {
  it('round-trip every frame type', () => {
    fc.assert(
      fc.property(anyFrame, (frame) => {
        const line = encodeFrame(frame);
        expect(line.endsWith('\n')).toBe(true);
        expect(line.slice(0, -1)).not.toContain('\n');
        expect(decodeLine(line.slice(0, -1))).toEqual(E.right(frame));
      }),
      RUNS,
    );
  });

  it('round-trip through the framing, however the bytes are cut', () => {
    const stream = fc.record({
      frames: fc.array(anyFrame, { minLength: 1, maxLength: 6 }),
      cuts: fc.array(fc.nat(), { maxLength: 12 }),
    });
    fc.assert(
      fc.property(stream, ({ frames, cuts }) => {
        const bytes = Buffer.from(frames.map(encodeFrame).join(''), 'utf8');
        const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...offsets].map((s, i) => bytes.subarray(s, offsets[i] ?? bytes.length));
        const splitter = createLineSplitter(1_048_576);
        const lines = chunks.flatMap((c) => splitter.push(c));
        const decoded = lines.map((l) =>
          E.chain((line: { text: string; byteLength: number }) =>
            decodeLine(line.text, line.byteLength),
          )(l),
        );
        expect(decoded).toEqual(frames.map((f: Frame) => E.right(f)));
      }),
      RUNS,
    );
  });
});

const emojiText = fc
  .array(fc.constantFrom('😀', 'a', 'é', '\u2028'), { minLength: 15, maxLength: 60, size: 'max' })
  .map((chars) => chars.join(''));

describe('error sentences', () => {
  // The sentence goes back to the peer and to a person's screen: it must be real text.
  // An unknown type is cut between code points, never inside a surrogate pair.
  it('are well-formed Unicode, even for an unknown type full of emoji', () => {
    fc.assert(
      fc.property(emojiText, (type) => {
        const decoded = decodeLine(JSON.stringify({ type }));
        expect(E.isLeft(decoded) ? isWellFormed(decoded.left.message) : true).toBe(true);
      }),
      RUNS,
    );
  });

  it('are well-formed Unicode for any text in any other field of a known frame', () => {
    const bent = fc.record({
      frame: fc.constantFrom(...VALID_FRAMES.filter((f) => f.type !== 'bye')),
      field: fc.nat(),
      text: emojiText,
    });
    fc.assert(
      fc.property(bent, ({ frame, field, text }) => {
        // Every field but `type` (field 0), whose bug is the case above.
        const others = leafPaths(frame).length - 1;
        const replaced = changeField(frame, {
          kind: 'replace',
          field: 1 + (field % others),
          value: text,
        });
        const decoded = decodeLine(JSON.stringify(replaced));
        expect(E.isLeft(decoded) ? isWellFormed(decoded.left.message) : true).toBe(true);
      }),
      RUNS,
    );
  });
});

import { left, right } from 'fp-ts/lib/Either.js';
import { from, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { protocolError } from '../../src/codecs/errors.js';
import { MAX_FRAME_BYTES } from '../../src/limits.js';
import {
  createLineBudget,
  createLineSplitter,
  type Framed,
  frameLines,
  tooMuchHeld,
} from '../../src/streams/framing.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const line = (text: string) => right({ text, byteLength: Buffer.byteLength(text) + 1 });
const tooLarge = (max: number) =>
  left(protocolError('frame_too_large', `a frame may be at most ${max} bytes`));
const notUtf8 = left(protocolError('malformed_frame', 'the line is not valid UTF-8'));

/** Run the operator over chunks given synchronously: what came out, and did it complete. */
const frame = (chunks: readonly Buffer[], max?: number) => {
  const out: Framed[] = [];
  let completed = false;
  from(chunks)
    .pipe(frameLines(max))
    .subscribe({ next: (f) => out.push(f), complete: () => (completed = true) });
  return { out, completed };
};

/** Cut a buffer at the given offsets (ascending). */
const cutAt = (buf: Buffer, offsets: readonly number[]): Buffer[] =>
  [0, ...offsets].map((start, i) => buf.subarray(start, offsets[i] ?? buf.length));

const marbles = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('frameLines, in marbles', () => {
  it('joins a line split across chunks and drops the unterminated tail', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-b-c-|', { a: bytes('hel'), b: bytes('lo\nwor'), c: bytes('ld') });
      const expected = '    ---x---|';
      expectObservable(source.pipe(frameLines())).toBe(expected, { x: line('hello') });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('emits every line of one chunk at the same frame', () => {
    marbles().run(({ cold, expectObservable }) => {
      const source = cold('-(a|)', { a: bytes('one\ntwo\n\nthree\n') });
      const expected = '   -(wxyz|)';
      const values = { w: line('one'), x: line('two'), y: line(''), z: line('three') };
      expectObservable(source.pipe(frameLines())).toBe(expected, values);
    });
  });

  it('rejects an oversized line as soon as it cannot fit, completes and unsubscribes', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('  -a-b-c-|', { a: bytes('ok\n1234'), b: bytes('5678'), c: bytes('\n') });
      const expected = '    -x-(e|)';
      expectObservable(source.pipe(frameLines(8))).toBe(expected, {
        x: line('ok'),
        e: tooLarge(8),
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('passes a source error through', () => {
    marbles().run(({ cold, expectObservable }) => {
      const source = cold('-a-#', { a: bytes('x\n') }, new Error('boom'));
      expectObservable(source.pipe(frameLines())).toBe('-x-#', { x: line('x') }, new Error('boom'));
    });
  });
});

describe('frameLines across chunk boundaries', () => {
  const text = 'Grüße 👋\nzweite Zeile ✓ 日本\n';
  const wire = bytes(text);
  const expected = [line('Grüße 👋'), line('zweite Zeile ✓ 日本')];

  it('gives the same lines wherever one cut falls, inside characters included', () => {
    for (let i = 0; i <= wire.length; i++) {
      expect(frame(cutAt(wire, [i])).out, `cut at ${i}`).toEqual(expected);
    }
  });

  it('gives the same lines wherever two cuts fall', () => {
    for (let i = 0; i <= wire.length; i++) {
      for (let j = i; j <= wire.length; j++) {
        expect(frame(cutAt(wire, [i, j])).out, `cuts at ${i}, ${j}`).toEqual(expected);
      }
    }
  });

  it('gives the same lines one byte at a time', () => {
    const oneByOne = [...wire].map((b) => Buffer.from([b]));
    expect(frame(oneByOne)).toEqual({ out: expected, completed: true });
  });

  it('counts wire bytes, newline included, in byteLength', () => {
    expect(frame([bytes('👋\n')]).out).toEqual([right({ text: '👋', byteLength: 5 })]);
  });

  it('keeps the text exactly: a carriage return and a byte order mark stay', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(frame([bytes('a\r\n'), bom, bytes('b\n')]).out).toEqual([
      right({ text: 'a\r', byteLength: 3 }),
      right({ text: '\ufeffb', byteLength: 5 }),
    ]);
  });

  it('drops a trailing line without its newline and completes', () => {
    expect(frame([bytes('done\nhalf a li'), bytes('ne')])).toEqual({
      out: [line('done')],
      completed: true,
    });
  });
});

describe('frameLines and invalid UTF-8', () => {
  const invalid: Record<string, number[]> = {
    'a lone continuation byte': [0x80],
    'a byte never used in UTF-8': [0xff],
    'an overlong encoding of "/"': [0xc0, 0xaf],
    'an encoded surrogate': [0xed, 0xa0, 0x80],
    'a character cut short by the newline': [0x61, 0xe2, 0x82],
  };
  for (const [what, seq] of Object.entries(invalid)) {
    it(`rejects ${what} and carries on with the next line`, () => {
      const chunk = Buffer.concat([Buffer.from(seq), bytes('\nnext\n')]);
      expect(frame([chunk])).toEqual({ out: [notUtf8, line('next')], completed: true });
    });
  }
});

describe('frameLines size cap', () => {
  const max = 16;

  it('accepts a line of exactly the cap, newline included', () => {
    expect(frame([bytes(`${'a'.repeat(max - 1)}\n`)], max).out).toEqual([line('a'.repeat(15))]);
  });

  it('rejects a line one byte over the cap and completes', () => {
    const { out, completed } = frame([bytes(`${'a'.repeat(max)}\n`), bytes('later\n')], max);
    expect(out).toEqual([tooLarge(max)]);
    expect(completed).toBe(true);
  });

  it('counts bytes, not characters', () => {
    expect(frame([bytes(`${'ü'.repeat(7)}a\n`)], max).out).toEqual([line(`${'ü'.repeat(7)}a`)]);
    expect(frame([bytes(`${'ü'.repeat(8)}\n`)], max).out).toEqual([tooLarge(max)]);
  });

  it('rejects before the newline arrives, once even the newline would not fit', () => {
    const { out, completed } = frame([bytes('a'.repeat(10)), bytes('a'.repeat(6))], max);
    expect(out).toEqual([tooLarge(max)]);
    expect(completed).toBe(true);
  });

  it('holds a pending line of cap − 1 bytes without complaint', () => {
    const { out } = frame([bytes('a'.repeat(10)), bytes('a'.repeat(5))], max);
    expect(out).toEqual([]);
  });

  it('emits the lines before an oversized one in the same chunk', () => {
    expect(frame([bytes(`ok\n${'b'.repeat(20)}\nnever\n`)], max).out).toEqual([
      line('ok'),
      tooLarge(max),
    ]);
  });

  it('stops listening to its source after frame_too_large', () => {
    const source = new Subject<Buffer>();
    const out: Framed[] = [];
    source.pipe(frameLines(max)).subscribe((f) => out.push(f));
    source.next(bytes('a'.repeat(max)));
    expect(source.observed).toBe(false);
    expect(out).toEqual([tooLarge(max)]);
  });

  it('enforces the real 1 MiB limit, delivered in socket-sized chunks', () => {
    const inChunks = (buf: Buffer) =>
      cutAt(
        buf,
        [...Array(16).keys()].map((k) => (k + 1) * 65_536),
      );
    const atCap = Buffer.concat([Buffer.alloc(MAX_FRAME_BYTES - 1, 0x61), bytes('\n')]);
    const [accepted] = frame(inChunks(atCap)).out;
    expect(accepted).toEqual(
      right({ text: 'a'.repeat(MAX_FRAME_BYTES - 1), byteLength: MAX_FRAME_BYTES }),
    );

    const overCap = Buffer.concat([Buffer.alloc(MAX_FRAME_BYTES, 0x61), bytes('\n')]);
    expect(frame(inChunks(overCap))).toEqual({
      out: [tooLarge(MAX_FRAME_BYTES)],
      completed: true,
    });
  });
});

describe('the pending line: one buffer, O(bytes)', () => {
  it('a line a byte at a time is held in one doubling buffer, and decoded whole', () => {
    const splitter = createLineSplitter(MAX_FRAME_BYTES);
    const text = 'ü'.repeat(1_500); // 3,000 bytes, each character cut in two
    for (const byte of bytes(text)) expect(splitter.push(Buffer.from([byte]))).toEqual([]);
    expect(splitter.holding).toBe(4_096); // 1,024 doubled twice: not an object per byte
    expect(splitter.push(bytes('\n'))).toEqual([line(text)]);
    expect(splitter.holding).toBe(0);
  });

  it('a line in one chunk is decoded where it lies; the rest after it is copied, not kept', () => {
    const splitter = createLineSplitter(MAX_FRAME_BYTES);
    const chunk = bytes(`${'a'.repeat(65_000)}\nb`);
    expect(splitter.push(chunk)).toEqual([line('a'.repeat(65_000))]);
    // 'b' is held in a 1 KiB buffer of its own, not as a view of the 64 KiB chunk.
    expect(splitter.holding).toBe(1_024);
    expect(splitter.push(bytes('c\n'))).toEqual([line('bc')]);
  });
});

describe('the line budget: bytes of unfinished lines over many connections', () => {
  const lines = (source: Subject<Buffer>, budget: ReturnType<typeof createLineBudget>) => {
    const out: Framed[] = [];
    let completed = false;
    const subscription = source.pipe(frameLines(MAX_FRAME_BYTES, budget)).subscribe({
      next: (f) => out.push(f),
      complete: () => (completed = true),
    });
    return { out, completed: () => completed, subscription };
  };

  it('past the budget, the connection holding the most is told busy and let go', () => {
    const budget = createLineBudget(4_096);
    const [a, b] = [new Subject<Buffer>(), new Subject<Buffer>()];
    const [fromA, fromB] = [lines(a, budget), lines(b, budget)];
    a.next(bytes('a'.repeat(3_000)));
    expect(budget.held).toBe(3_000);
    b.next(bytes('b'.repeat(2_000)));
    expect(fromA.out).toEqual([left(tooMuchHeld())]);
    expect(fromA.completed()).toBe(true);
    expect(a.observed).toBe(false);
    expect(budget.held).toBe(2_000);
    b.next(bytes('b\n'));
    expect(fromB.out).toEqual([line('b'.repeat(2_001))]);
    expect(budget.held).toBe(0);
  });

  it('the asker itself goes when it would hold the most', () => {
    const budget = createLineBudget(4_096);
    const [a, b] = [new Subject<Buffer>(), new Subject<Buffer>()];
    const [fromA, fromB] = [lines(a, budget), lines(b, budget)];
    a.next(bytes('a'.repeat(1_000)));
    b.next(bytes('b'.repeat(3_500)));
    expect(fromB.out).toEqual([left(tooMuchHeld())]);
    expect(fromB.completed()).toBe(true);
    expect(fromA.out).toEqual([]);
    expect(budget.held).toBe(1_024);
    a.next(bytes('\n'));
    expect(fromA.out).toEqual([line('a'.repeat(1_000))]);
  });

  it('a connection that ends, or is unsubscribed, holds nothing more', () => {
    const budget = createLineBudget(1_048_576);
    const [a, b] = [new Subject<Buffer>(), new Subject<Buffer>()];
    const fromA = lines(a, budget);
    lines(b, budget);
    a.next(bytes('a'.repeat(5_000)));
    b.next(bytes('b'.repeat(5_000)));
    expect(budget.held).toBe(10_000);
    fromA.subscription.unsubscribe();
    expect(budget.held).toBe(5_000);
    b.complete();
    expect(budget.held).toBe(0);
  });

  it('a frame_too_large lets go of what it held', () => {
    const budget = createLineBudget(1_048_576);
    const a = new Subject<Buffer>();
    const fromA = lines(a, budget);
    a.next(bytes('a'.repeat(5_000)));
    a.next(Buffer.alloc(MAX_FRAME_BYTES, 0x61));
    expect(fromA.out).toEqual([tooLarge(MAX_FRAME_BYTES)]);
    expect(budget.held).toBe(0);
  });
});

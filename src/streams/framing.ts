/**
 * Newline-delimited framing (parley/1, "Framing") as an RxJS operator: bytes in, lines out.
 * It works on bytes, not strings, so a chunk boundary inside a multi-byte character is
 * harmless (0x0A never occurs inside a UTF-8 sequence) and the size cap counts wire bytes.
 */
import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { Observable, type OperatorFunction } from 'rxjs';
import { frameTooLarge, type ProtocolError, protocolError } from '../codecs/errors.js';
import { MAX_FRAME_BYTES } from '../limits.js';

/** One line from the wire, without its newline; `byteLength` counts the newline too. */
export interface Line {
  readonly text: string;
  readonly byteLength: number;
}

export type Framed = Either<ProtocolError, Line>;

const NEWLINE = 0x0a;

// fatal: invalid bytes are an error, not U+FFFD. ignoreBOM: keep the text exactly as sent
// (a stray BOM is then malformed JSON rather than silently dropped).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const notUtf8 = (): ProtocolError =>
  protocolError('malformed_frame', 'the line is not valid UTF-8');

/** Decode a complete line's bytes (newline excluded). */
export const decodeLineBytes = (bytes: Uint8Array): Framed => {
  try {
    return right({ text: utf8.decode(bytes), byteLength: bytes.length + 1 });
  } catch {
    return left(notUtf8());
  }
};

/**
 * Bytes held in unfinished lines by many connections together (a listener's), at most
 * `maxBytes`. When a connection needs more and there is no room, the one holding the most —
 * counting what the asker would hold — is told to let go (`evict`): so an attacker's
 * thousand stalled lines cannot hold the node's memory, and a contact's frame in progress,
 * smaller than theirs, is not the one that goes.
 */
export interface LineBudget {
  readonly maxBytes: number;
  /** Bytes held now, over all holders. */
  readonly held: number;
  /** Room for `bytes` more for `holder`: false when it is the one that must let go. */
  claim(holder: BudgetHolder, bytes: number): boolean;
  /** `holder` holds nothing any more (its line ended, or its connection did). */
  release(holder: BudgetHolder): void;
}

export interface BudgetHolder {
  held: number;
  /** Told to let go: it drops what it holds and ends its stream with `tooMuchHeld`. */
  readonly evict: () => void;
}

export const createLineBudget = (maxBytes: number): LineBudget => {
  const holders = new Set<BudgetHolder>();
  let held = 0;
  const release = (holder: BudgetHolder) => {
    held -= holder.held;
    holder.held = 0;
    holders.delete(holder);
  };
  /** The holder with the most, other than `asker`, if it holds more than `askerWould`. */
  const biggerThan = (asker: BudgetHolder, askerWould: number): BudgetHolder | undefined => {
    let biggest: BudgetHolder | undefined;
    for (const h of holders) {
      if (h !== asker && h.held > (biggest?.held ?? askerWould)) biggest = h;
    }
    return biggest;
  };
  return {
    maxBytes,
    get held() {
      return held;
    },
    claim(holder, bytes) {
      while (held + bytes > maxBytes) {
        const victim = biggerThan(holder, holder.held + bytes);
        if (victim === undefined) return false;
        release(victim);
        victim.evict();
      }
      holders.add(holder);
      holder.held += bytes;
      held += bytes;
      return true;
    },
    release,
  };
};

export const tooMuchHeld = (): ProtocolError =>
  protocolError(
    'busy',
    'too many bytes are waiting in unfinished lines on this node, and this connection held ' +
      'the most; send each frame whole, or try again shortly',
  );

/** The first size of the pending line's buffer; it doubles as needed, up to the frame cap. */
const FIRST_PENDING_BYTES = 1_024;

/**
 * A stateful splitter: `push` takes the next chunk and returns what it completes. After a
 * `frame_too_large` (or being told to let go) it returns nothing more (`done` is true): the
 * stream is beyond repair.
 *
 * The unfinished line is copied into one buffer that doubles as it fills, so a line that
 * arrives a byte at a time costs its bytes, not an object per chunk, and holds no socket
 * chunk (nor the larger allocation behind it) alive. A line that arrives in one chunk is
 * decoded where it lies. With a `budget`, the buffer's size is counted in it.
 */
export const createLineSplitter = (
  maxFrameBytes: number,
  budget?: LineBudget,
  onEvicted: () => void = () => {},
) => {
  let buffer: Buffer | undefined;
  let length = 0;
  let done = false;

  const drop = () => {
    buffer = undefined;
    length = 0;
    if (budget !== undefined) budget.release(holder);
  };
  const holder: BudgetHolder = {
    held: 0,
    evict: () => {
      buffer = undefined;
      length = 0;
      done = true;
      onEvicted();
    },
  };

  /** Append bytes to the pending line, growing its buffer; false when the budget refused. */
  const append = (bytes: Buffer): boolean => {
    const needed = length + bytes.length;
    const capacity = buffer?.length ?? 0;
    if (needed > capacity) {
      const size = Math.min(maxFrameBytes, Math.max(needed, capacity * 2, FIRST_PENDING_BYTES));
      if (budget !== undefined && !budget.claim(holder, size - capacity)) return false;
      const grown = Buffer.allocUnsafe(size);
      if (buffer !== undefined) buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    bytes.copy(buffer as Buffer, length);
    length = needed;
    return true;
  };

  const stop = (error: ProtocolError): Framed[] => {
    done = true;
    drop();
    return [left(error)];
  };
  const tooLarge = () => stop(frameTooLarge(maxFrameBytes));

  const push = (chunk: Buffer): Framed[] => {
    if (done) return [];
    const out: Framed[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (length + (nl - start) + 1 > maxFrameBytes) return [...out, ...tooLarge()];
      const tail = chunk.subarray(start, nl);
      if (length === 0) out.push(decodeLineBytes(tail));
      else {
        if (!append(tail)) return [...out, ...stop(tooMuchHeld())];
        out.push(decodeLineBytes((buffer as Buffer).subarray(0, length)));
        drop();
      }
      start = nl + 1;
    }
    const rest = chunk.length - start;
    if (rest === 0) return out;
    // Even the newline that would end it no longer fits: reject now, hold nothing more.
    if (length + rest + 1 > maxFrameBytes) return [...out, ...tooLarge()];
    if (!append(chunk.subarray(start))) return [...out, ...stop(tooMuchHeld())];
    return out;
  };

  return {
    push,
    /** Let go of the pending line (the stream ended): nothing stays counted in the budget. */
    release: drop,
    get done() {
      return done;
    },
    /** Bytes allocated for the pending line (its buffer's size). */
    get holding() {
      return buffer?.length ?? 0;
    },
  };
};

/**
 * Split a byte stream into lines. Emits `left(frame_too_large)` and completes as soon as a
 * line cannot fit in `maxFrameBytes` (newline included); emits `left(malformed_frame)` for a
 * line that is not UTF-8 and carries on. Bytes after the last newline are dropped at the end.
 * With a `budget` shared by many streams, a stream told to let go emits `left(busy)`
 * (`tooMuchHeld`) and completes.
 */
export const frameLines =
  (maxFrameBytes = MAX_FRAME_BYTES, budget?: LineBudget): OperatorFunction<Buffer, Framed> =>
  (source) =>
    new Observable<Framed>((subscriber) => {
      const evicted = () => {
        subscriber.next(left(tooMuchHeld()));
        subscriber.complete();
      };
      const splitter = createLineSplitter(maxFrameBytes, budget, evicted);
      const subscription = source.subscribe({
        next: (chunk) => {
          for (const framed of splitter.push(chunk)) {
            if (subscriber.closed) return;
            subscriber.next(framed);
          }
          if (splitter.done) subscriber.complete();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        splitter.release();
      };
    });

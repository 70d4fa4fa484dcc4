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
 * The splitter's memory: the chunks of the line not yet terminated and their total size.
 * Chunks are kept as a list and joined once per line, so a large line costs O(n), not O(n²).
 */
interface Pending {
  chunks: Buffer[];
  length: number;
}

const joinPending = (pending: Pending, tail: Buffer): Buffer =>
  pending.chunks.length === 0 ? tail : Buffer.concat([...pending.chunks, tail]);

/**
 * A stateful splitter: `push` takes the next chunk and returns what it completes. After a
 * `frame_too_large` it returns nothing more (`done` is true): the stream is beyond repair.
 */
export const createLineSplitter = (maxFrameBytes: number) => {
  const pending: Pending = { chunks: [], length: 0 };
  let done = false;

  const tooLarge = (): Framed[] => {
    done = true;
    pending.chunks = [];
    pending.length = 0;
    return [left(frameTooLarge(maxFrameBytes))];
  };

  const push = (chunk: Buffer): Framed[] => {
    if (done) return [];
    const out: Framed[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (pending.length + (nl - start) + 1 > maxFrameBytes) return [...out, ...tooLarge()];
      out.push(decodeLineBytes(joinPending(pending, chunk.subarray(start, nl))));
      pending.chunks = [];
      pending.length = 0;
      start = nl + 1;
    }
    const rest = chunk.length - start;
    if (rest === 0) return out;
    // Even the newline that would end it no longer fits: reject now, hold nothing more.
    if (pending.length + rest + 1 > maxFrameBytes) return [...out, ...tooLarge()];
    pending.chunks.push(chunk.subarray(start));
    pending.length += rest;
    return out;
  };

  return {
    push,
    get done() {
      return done;
    },
  };
};

/**
 * Split a byte stream into lines. Emits `left(frame_too_large)` and completes as soon as a
 * line cannot fit in `maxFrameBytes` (newline included); emits `left(malformed_frame)` for a
 * line that is not UTF-8 and carries on. Bytes after the last newline are dropped at the end.
 */
export const frameLines =
  (maxFrameBytes = MAX_FRAME_BYTES): OperatorFunction<Buffer, Framed> =>
  (source) =>
    new Observable<Framed>((subscriber) => {
      const splitter = createLineSplitter(maxFrameBytes);
      return source.subscribe({
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
    });

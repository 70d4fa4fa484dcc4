/**
 * The history's file adapter: `history-<name>` in the name's state directory, 0600, never
 * through a link. Each line is appended and flushed (fsync) before `keep` returns, so a
 * received message is on disk before its ack goes out. Read back at start; a file that cannot
 * be read is moved aside (never overwritten) and said, as the outbox file is; a last line cut
 * short by a crash is left out (its message was not acknowledged: it comes again). Compacted
 * (rewritten atomically) at start and once it outgrows the caps or holds many stale lines:
 * the oldest messages are dropped then, and said.
 */
import {
  closeSync,
  constants,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { type ParleyError, parleyError, whyOf } from '../errors.js';
import { HISTORY_SLACK } from '../limits.js';
import { writeFileAtomicallySync } from './atomic-file.js';
import {
  createHistoryBook,
  HISTORY_CAPS,
  type HistoryBook,
  type HistoryCaps,
} from './history-book.js';
import {
  decodeHistoryText,
  encodeHistoryLine,
  type HistoryLine,
  type ReadLines,
} from './history-codec.js';
import { type HistoryStore, lastReceivedKey } from './history-store.js';

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const READ = constants.O_RDONLY | NO_FOLLOW;
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW;

/** The file's text ('' when there is none yet), never through a link. */
const readText = (path: string): string => {
  let fd: number;
  try {
    fd = openSync(path, READ);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
};

/** The history file at `path`, read without changing it (for `parley history`, a listing). */
export const readHistoryFile = (path: string): E.Either<ParleyError, ReadLines> => {
  let text: string;
  try {
    text = readText(path);
  } catch (err) {
    return E.left(parleyError('invalid_history', `cannot read ${path} (${whyOf(err)})`));
  }
  return decodeHistoryText(text, path);
};

/** Its lines folded: each message once, in its last state; the chat's mark. */
export const bookOf = (lines: readonly HistoryLine[]): HistoryBook => {
  const book = createHistoryBook();
  for (const line of lines) book.apply(line);
  return book;
};

const appendFlushed = (path: string, line: HistoryLine): number => {
  const text = `${encodeHistoryLine(line)}\n`;
  const fd = openSync(path, APPEND, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return Buffer.byteLength(text, 'utf8');
};

export interface HistoryFileOptions {
  readonly nowMs?: number;
  readonly caps?: HistoryCaps;
  /** Told what a compaction dropped, or that it failed (nothing is lost then). */
  readonly onWarning?: (text: string) => void;
}

const droppedText = (path: string, n: number, caps: HistoryCaps) =>
  `${path}: the ${n === 1 ? 'oldest message was' : `${n} oldest messages were`} dropped from ` +
  `the history, which keeps at most ${caps.maxMessages} messages and ${caps.maxBytes} bytes`;

/**
 * The history kept in `path`. Throws only when the file can be neither read nor moved aside
 * (the caller keeps the history in memory then, and says so).
 */
export const createHistoryFile = (
  path: string,
  { nowMs = Date.now(), caps = HISTORY_CAPS, onWarning = () => {} }: HistoryFileOptions = {},
): { readonly store: HistoryStore; readonly warnings: readonly string[] } => {
  const warnings: string[] = [];
  const read = readHistoryFile(path);
  if (E.isLeft(read)) {
    const aside = `${path}.unreadable-${nowMs}`;
    renameSync(path, aside);
    warnings.push(`${read.left.message}; moved to ${aside}, starting with an empty history`);
  }
  const found = E.isRight(read) ? read.right : { lines: [], cut: false, count: 0, bytes: 0 };
  const book = bookOf(found.lines);
  // Lines in the file now: a compaction is due when they are many more than the messages.
  let lines = found.count;
  let bytes = found.bytes;

  const compact = (say: (text: string) => void): void => {
    const dropped = book.trim(caps);
    const all = book.lines();
    writeFileAtomicallySync(path, all.map((l) => `${encodeHistoryLine(l)}\n`).join(''));
    lines = all.length;
    bytes = book.bytes;
    if (dropped > 0) say(droppedText(path, dropped, caps));
  };
  const due = () =>
    book.size > caps.maxMessages * (1 + HISTORY_SLACK) ||
    bytes > caps.maxBytes * (1 + HISTORY_SLACK) ||
    lines > 2 * book.size + 64;
  // At start when due, or to drop a last line cut short (nothing may be appended to it).
  if (found.cut || due()) compact((t) => warnings.push(t));

  /** Written and flushed, then taken in; a compaction after, when one is due. */
  const append = (line: HistoryLine) => {
    bytes += appendFlushed(path, line);
    lines += 1;
    book.apply(line);
    if (!due()) return;
    try {
      compact(onWarning);
    } catch (err) {
      // Everything is on disk already; the file is only longer until the next try.
      onWarning(`cannot compact ${path} (${whyOf(err)}); will try again later`);
    }
  };

  const store: HistoryStore = {
    keep(record) {
      // Decided first, written second, taken in last: memory never claims what the file lacks.
      if (!book.changes(record)) return false;
      try {
        append({ kind: 'message', record });
      } catch (err) {
        throw new Error(`cannot keep a message in the history ${path} (${whyOf(err)})`);
      }
      return true;
    },
    records: () => book.records(),
    chatMark: () => book.mark(),
    markChatSeen(atMs) {
      append({ kind: 'mark', mark: { afterKey: lastReceivedKey(book.records()), atMs } });
    },
  };
  return { store, warnings };
};

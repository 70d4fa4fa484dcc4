/**
 * A dedupe memory that survives a restart: the `msg_id`s of the last window are appended to a
 * file as they are first shown, and read back at start. Without it, a peer that crashed after
 * showing a message but before its ack arrived would show the sender's retry a second time.
 *
 * An id is remembered in memory only once the append succeeded. If the append fails,
 * `remember` throws: the responder then answers `internal` without an ack, so the sender
 * keeps the message and its retry is shown once the file can be written again. (Recording in
 * memory first made the retry a "duplicate": acknowledged, never shown, lost.)
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { errnoCode, whyOf } from '../errors.js';
import { DEDUPE_WINDOW_MS, DEFAULT_DEDUPE_CAPACITY } from '../limits.js';
import { createDedupeMemory, type DedupeMemory } from '../node/dedupe.js';
import { writeFileAtomicallySync } from './atomic-file.js';

interface Seen {
  /** The dedupe key: the message id and its sender (see `dedupeKey`). */
  readonly key: string;
  readonly atMs: number;
}

// `<msg_id> <sender> <ms>`: a username has no control characters, so no newline.
const LINE = /^([0-9a-f-]{36} .+) (\d+)$/;

// Never through a symbolic link: one planted at the file's name would have parley write
// wherever it points. (The state directory is checked too; this holds if it were not.)
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const READ = constants.O_RDONLY | NO_FOLLOW;
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW;

const parseLine = (line: string): Seen | undefined => {
  const match = LINE.exec(line);
  return match === null ? undefined : { key: match[1]!, atMs: Number(match[2]) };
};

const readText = (path: string): string => {
  let fd: number;
  try {
    fd = openSync(path, READ);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return '';
    throw err;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
};

/** The entries of the file that are still inside the window; unreadable lines are skipped. */
const readSeen = (path: string, nowMs: number, windowMs: number): Seen[] =>
  readText(path)
    .split('\n')
    .map(parseLine)
    .filter((s): s is Seen => s !== undefined && nowMs - s.atMs < windowMs);

const format = (s: Seen) => `${s.key} ${s.atMs}\n`;

/** Append one line; the file is created 0600 if missing, never through a link. */
const appendLine = (path: string, line: string) => {
  const fd = openSync(path, APPEND, 0o600);
  try {
    writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
};

/**
 * Rewrite the file with only the live entries, never half written: a new file under a random
 * name, created exclusively (no name can be prepared for it in advance, no link followed),
 * then renamed over the file.
 */
const compact = (path: string, live: readonly Seen[]) =>
  writeFileAtomicallySync(path, live.map(format).join(''));

export interface SeenFileOptions {
  readonly nowMs?: number;
  readonly windowMs?: number;
  readonly capacity?: number;
  /** Told when a compaction fails (nothing is lost: the file only stays longer). */
  readonly onWarning?: (text: string) => void;
}

export const createSeenFile = (
  path: string,
  {
    nowMs = Date.now(),
    windowMs = DEDUPE_WINDOW_MS,
    capacity = DEFAULT_DEDUPE_CAPACITY,
    onWarning = () => {},
  }: SeenFileOptions = {},
): DedupeMemory => {
  const memory = createDedupeMemory({ windowMs, capacity });
  const live = readSeen(path, nowMs, windowMs);
  for (const seen of live) memory.remember(seen.key, seen.atMs);
  compact(path, live);
  let appended = 0;

  const record = (key: string, atMs: number) => {
    try {
      appendLine(path, format({ key, atMs }));
    } catch (err) {
      throw new Error(
        `cannot record a message id in ${path} (${whyOf(err)}); the message was ` +
          'not acknowledged, so its sender keeps it and can retry once the file can be written',
      );
    }
  };

  const compactNow = (atMs: number) => {
    try {
      compact(path, readSeen(path, atMs, windowMs));
      appended = 0;
    } catch (err) {
      // The ids are on disk already; the file is only longer until the next try.
      onWarning(`cannot compact ${path} (${whyOf(err)}); will try again later`);
    }
  };

  return {
    has: (key, atMs) => memory.has(key, atMs),
    remember(key, atMs) {
      if (memory.has(key, atMs)) return false;
      // Called once the message was shown (see answerFrom), and before it is acknowledged: a
      // crash before this line can show the retry a second time, never lose it; a failed write
      // throws with the id still unseen, so nothing is acked and the retry is shown.
      // In the file before in memory, so that memory never claims what the file lacks.
      record(key, atMs);
      memory.remember(key, atMs);
      appended += 1;
      if (appended >= capacity) compactNow(atMs);
      return true;
    },
    get size() {
      return memory.size;
    },
  };
};

/**
 * A dedupe memory that survives a restart: the `msg_id`s of the last window are appended to a
 * file as they are first seen, and read back at start. Without it, a peer that crashed after
 * showing a message but before its ack arrived would show the sender's retry a second time.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DEDUPE_WINDOW_MS, DEFAULT_DEDUPE_CAPACITY } from '../limits.js';
import { createDedupeMemory, type DedupeMemory } from './dedupe.js';

interface Seen {
  /** The dedupe key: the message id and its sender (see `dedupeKey`). */
  readonly key: string;
  readonly atMs: number;
}

// `<msg_id> <sender> <ms>`: a username has no control characters, so no newline.
const LINE = /^([0-9a-f-]{36} .+) (\d+)$/;

/** The entries of the file that are still inside the window; unreadable lines are skipped. */
const readSeen = (path: string, nowMs: number, windowMs: number): Seen[] => {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[1]!, atMs: Number(m[2]) }))
    .filter((s) => nowMs - s.atMs < windowMs);
};

const format = (s: Seen) => `${s.key} ${s.atMs}\n`;

/** Rewrite the file with only the live entries (a temp file and a rename: never half written). */
const compact = (path: string, live: readonly Seen[]) => {
  const temp = `${path}.tmp`;
  writeFileSync(temp, live.map(format).join(''), { mode: 0o600 });
  renameSync(temp, path);
};

export const createSeenFile = (
  path: string,
  {
    nowMs = Date.now(),
    windowMs = DEDUPE_WINDOW_MS,
    capacity = DEFAULT_DEDUPE_CAPACITY,
  }: { nowMs?: number; windowMs?: number; capacity?: number } = {},
): DedupeMemory => {
  const memory = createDedupeMemory({ windowMs, capacity });
  const live = readSeen(path, nowMs, windowMs);
  for (const seen of live) memory.remember(seen.key, seen.atMs);
  compact(path, live);
  let appended = 0;
  return {
    remember(key, atMs) {
      const fresh = memory.remember(key, atMs);
      // Written before the message is shown and acknowledged: a crash after this line
      // can only make a retry count as seen, never show it twice.
      if (fresh) {
        appendFileSync(path, format({ key, atMs }), { mode: 0o600 });
        appended += 1;
        if (appended >= capacity) {
          compact(path, readSeen(path, atMs, windowMs));
          appended = 0;
        }
      }
      return fresh;
    },
    get size() {
      return memory.size;
    },
  };
};

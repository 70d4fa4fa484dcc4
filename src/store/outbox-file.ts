/**
 * The outbox on disk, so that a message never dies with the process: every message not (known
 * to be) delivered, kept (mode 0600) whenever the list changes — before a new message's first
 * try — and read back at start. Each keeps its msg_id, so a resend after a crash is still
 * shown once by the receiver. No secret is written: a message goes out again with its
 * contact's password from the directory as it is then (and its group: see sending.ts).
 *
 * A small file (OUTBOX_REWRITE_MAX_BYTES) is rewritten atomically at each change. A larger one
 * has each change appended to a log beside it (outbox-log.ts) and flushed, a few hundred
 * bytes, and is rewritten with all that waits at the first save of a run and once the log has
 * outgrown it: a change costs a bounded number of bytes on average, however full the outbox.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import type { Observable } from 'rxjs';
import { mint, Uuid } from '../codecs/formats.js';
import { MAX_PLAINTEXT_BYTES, OUTBOX_REWRITE_MAX_BYTES } from '../limits.js';
import type { MessageSummary } from '../node/jobs.js';
import type { NodeState, OutboxEntry } from '../node/state.js';
import { pendingMessages } from '../node/state.js';
import { writeFileAtomicallySync } from './atomic-file.js';
import {
  type Change,
  type Kept,
  logFileOf,
  type OutboxFileError,
  read,
  type StoredMessage,
} from './outbox-codec.js';
import type { Admit, Keep } from './outbox-inbox.js';
import { type LogAppender, removeLog, startLog } from './outbox-log.js';

export { logFileOf };

export interface OutboxStore {
  /** The messages kept from an earlier run, ready to go out again (now). */
  load(): readonly OutboxEntry[];
  /** Keep what the state has pending (throws when it cannot: say so, keep running). */
  save(state: NodeState): void;
  /**
   * Messages handed in while the node runs, by another process of its name (outbox-inbox.ts),
   * as many at a time as `admit` says the outbox has room for; each file is removed once
   * `keep` has the outbox file hold it.
   */
  readonly handedIn?: (admit: Admit, keep: Keep) => Observable<readonly OutboxEntry[]>;
}

const WAITING = 'waiting since parley last ran';

export interface OutboxFileOptions {
  /** The wall clock, for when a message was paused. */
  readonly now?: () => number;
  /**
   * When the directory file last changed (its mtime, ms since the epoch): a message paused
   * before that goes out again at start, since its contact's password may have been corrected
   * while parley was not running (no live change could tell). If it is still wrong, the
   * message pauses again after one try.
   */
  readonly directoryChangedAtMs?: number;
  /**
   * A file up to this size is rewritten whole at each change; a larger one's log is folded
   * into a fresh copy once it outgrows it and this (OUTBOX_REWRITE_MAX_BYTES; for tests).
   */
  readonly foldAtBytes?: number;
}

/** Whether the directory changed after `m` was paused (or, for an older file, at all). */
const changedSincePaused = (m: StoredMessage, directoryChangedAtMs: number | undefined) =>
  directoryChangedAtMs !== undefined &&
  (m.paused_at === undefined || directoryChangedAtMs > m.paused_at);

/**
 * A message that waits, as the outbox shows it: `why` in place of its last report (it was
 * kept from an earlier run, or handed in by another process), due now unless paused.
 */
export const waitingEntry = (
  job: MessageSummary,
  why: string,
  attempts: number,
  paused: boolean,
): OutboxEntry => ({
  job,
  report: {
    outcome: 'not_delivered',
    msgId: job.msgId,
    to: job.to,
    failure: { cause: 'refused', message: why },
    reason: why,
    elapsedMs: 0,
  },
  attempts,
  nextTryAt: 0,
  paused,
});

const toEntry = (m: StoredMessage, directoryChangedAtMs?: number): OutboxEntry =>
  waitingEntry(
    {
      msgId: m.msg_id,
      text: m.text,
      to: { username: m.to.username ?? undefined, host: m.to.host, port: m.to.port },
      group: m.group,
      ...(m.written_at === undefined ? {} : { writtenAt: m.written_at }),
    },
    WAITING,
    m.attempts,
    m.paused && !changedSincePaused(m, directoryChangedAtMs),
  );

const toStored = (
  job: MessageSummary,
  entry: OutboxEntry | undefined,
  pausedAt: number | undefined,
): StoredMessage => ({
  msg_id: mint(Uuid, job.msgId),
  to: { username: job.to.username ?? null, host: job.to.host, port: job.to.port },
  text: job.text,
  group: job.group,
  attempts: entry?.attempts ?? 0,
  paused: entry?.paused ?? false,
  // Left out of the JSON when undefined.
  paused_at: pausedAt,
  written_at: job.writtenAt,
});

/**
 * What waits in the file at `path`, without touching it (for a listing while a parley may be
 * running), or why it cannot be read (naming the file and the field).
 */
export const readOutboxFile = (path: string): E.Either<OutboxFileError, readonly OutboxEntry[]> =>
  E.map((kept: Kept) => kept.messages.map((m) => toEntry(m)))(read(path));

/** Moved out of the way, never overwritten; the words for the warning. */
const moveAside = (from: string, to: string): string => {
  renameSync(from, to);
  return `moved to ${to}`;
};

/** What could not be kept as it was, set aside and said (never lost, never thrown away). */
const setAside = (path: string, kept: Kept, nowMs: number, warnings: string[]): void => {
  if (kept.tooLong.length > 0) {
    const aside = `${path}.too-long-${nowMs}`;
    writeFileAtomicallySync(aside, `${JSON.stringify({ version: 1, messages: kept.tooLong })}\n`);
    const n = kept.tooLong.length;
    warnings.push(
      `${path}: ${n === 1 ? '1 message has' : `${n} messages have`} a text longer than a message may carry (${MAX_PLAINTEXT_BYTES} bytes of UTF-8) and could never go out; moved to ${aside}, the rest wait as before`,
    );
  }
  if (kept.logProblem !== undefined) {
    const aside = moveAside(logFileOf(path), `${logFileOf(path)}.unreadable-${nowMs}`);
    warnings.push(`${kept.logProblem}; the changes before it are kept; ${aside}`);
  }
};

/** A waiting message's own record, and what it was made from (to skip it when unchanged). */
interface Saved {
  readonly from: unknown;
  readonly stored: StoredMessage;
}

const sameDetails = (a: StoredMessage, b: StoredMessage): boolean =>
  a.to.username === b.to.username &&
  a.to.host === b.to.host &&
  a.to.port === b.to.port &&
  a.group === b.group &&
  a.attempts === b.attempts &&
  a.paused === b.paused &&
  a.paused_at === b.paused_at;

/** The line that takes a message from `was` to `now` (none when nothing changed). */
const changeOf = (was: StoredMessage | undefined, now: StoredMessage): Change | undefined => {
  if (was === undefined || was.text !== now.text) return { op: 'put', message: now };
  if (sameDetails(was, now)) return undefined;
  const { text: _, ...fields } = now;
  return { op: 'update', ...fields };
};

/**
 * The outbox kept in `path`. A file that cannot be read is moved aside (never overwritten, so
 * nothing in it is lost) and said in `warnings`; so is a message whose text could never go
 * out, and a log line that cannot be read (what came before it is kept).
 */
export const createOutboxFile = (
  path: string,
  nowMs = Date.now(),
  {
    now = Date.now,
    directoryChangedAtMs,
    foldAtBytes = OUTBOX_REWRITE_MAX_BYTES,
  }: OutboxFileOptions = {},
): { readonly store: OutboxStore; readonly warnings: readonly string[] } => {
  const logPath = logFileOf(path);
  const stored = read(path);
  const warnings: string[] = [];
  if (E.isLeft(stored)) {
    const asides = [moveAside(path, `${path}.unreadable-${nowMs}`)];
    if (existsSync(logPath)) asides.push(moveAside(logPath, `${logPath}.unreadable-${nowMs}`));
    warnings.push(`${stored.left.message}; ${asides.join(', ')}, starting with an empty outbox`);
  } else setAside(path, stored.right, nowMs, warnings);
  const kept = E.isRight(stored) ? stored.right.messages : [];
  const loaded = kept.map((m) => toEntry(m, directoryChangedAtMs));
  // When each message still paused was paused: kept from save to save, not the time of each.
  let pausedAt = new Map<string, number>(
    kept.flatMap((m, i) =>
      loaded[i]?.paused && m.paused_at !== undefined ? [[m.msg_id, m.paused_at] as const] : [],
    ),
  );
  let saved = new Map<string, Saved>(kept.map((m) => [m.msg_id, { from: undefined, stored: m }]));
  // The copy on disk this run wrote (undefined: the next save writes one), and its log.
  let copy: { readonly id: string; readonly bytes: number } | undefined;
  let log: LogAppender | undefined;

  /** A fresh copy of all that waits, renamed over the file; the old log then removed. */
  const fold = (messages: Iterable<Saved>): void => {
    log?.close();
    log = undefined;
    copy = undefined;
    const id = randomBytes(6).toString('hex');
    const all = [...messages].map((m) => m.stored);
    const text = `${JSON.stringify({ version: 1, log: id, messages: all }, null, 1)}\n`;
    writeFileAtomicallySync(path, text);
    copy = { id, bytes: Buffer.byteLength(text, 'utf8') };
    try {
      removeLog(logPath);
    } catch {
      // A log of another copy is ignored when read, and replaced by the next one.
    }
  };

  /**
   * The changes appended to the log (started on the first); or all that waits written afresh,
   * when the file is small (or not yet written this run) or the log has outgrown it.
   */
  const keep = (next: Map<string, Saved>, changes: readonly string[]): void => {
    if (copy !== undefined && changes.length === 0) return;
    const bytes = changes.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);
    const logged = (log?.bytes() ?? 0) + bytes;
    if (
      copy === undefined ||
      copy.bytes + logged <= foldAtBytes ||
      logged > Math.max(foldAtBytes, copy.bytes)
    ) {
      fold(next.values());
      return;
    }
    try {
      log ??= startLog(logPath, copy.id);
      log.append(changes);
    } catch (err) {
      // The log may end in a cut line now: the next save writes a fresh copy instead.
      log?.close();
      log = undefined;
      copy = undefined;
      throw err;
    }
  };

  const store: OutboxStore = {
    load: () => loaded,
    save: (state) => {
      const entries = new Map(state.outbox.map((e) => [e.job.msgId, e]));
      const nowPaused = new Map<string, number>();
      const next = new Map<string, Saved>();
      const changes: string[] = [];
      for (const m of pendingMessages(state)) {
        const entry = entries.get(m.msgId);
        if (entry?.paused) nowPaused.set(m.msgId, pausedAt.get(m.msgId) ?? now());
        const from = entry ?? m;
        const was = saved.get(m.msgId);
        if (
          was !== undefined &&
          was.from === from &&
          was.stored.paused_at === nowPaused.get(m.msgId)
        ) {
          next.set(m.msgId, was);
          continue;
        }
        const record = toStored(m, entry, nowPaused.get(m.msgId));
        next.set(m.msgId, { from, stored: record });
        const change = changeOf(was?.stored, record);
        if (change !== undefined) changes.push(JSON.stringify(change));
      }
      for (const id of saved.keys()) {
        if (!next.has(id)) changes.push(JSON.stringify({ op: 'drop', msg_id: id }));
      }
      keep(next, changes);
      saved = next;
      pausedAt = nowPaused;
    },
  };
  return { store, warnings };
};

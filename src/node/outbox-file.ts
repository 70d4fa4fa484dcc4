/**
 * The outbox on disk, so that a message never dies with the process: every message not (known
 * to be) delivered, kept (mode 0600) whenever the list changes — before a new message's first
 * try — and read back at start. Each keeps its msg_id, so a resend after a crash is still
 * shown once by the receiver. No secret is written: a message goes out again with its
 * contact's password from the directory as it is then (and its group: see sending.ts).
 *
 * Each change is appended to a log beside the file (outbox-log.ts) and flushed, a few hundred
 * bytes; the file itself is rewritten atomically with all that waits at the first save of a
 * run and whenever the log has grown past the copy it goes with (and OUTBOX_LOG_MIN_BYTES),
 * so that a change costs a bounded number of bytes on average, however full the outbox is.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Observable } from 'rxjs';
import { Group, MessageText, mint, Uuid } from '../codecs/formats.js';
import { describeErrors, fieldPath } from '../codecs/report.js';
import { MAX_PLAINTEXT_BYTES, OUTBOX_LOG_MIN_BYTES } from '../limits.js';
import { writeFileAtomicallySync } from './atomic-file.js';
import type { MessageSummary } from './jobs.js';
import type { Admit } from './outbox-inbox.js';
import {
  type LogAppender,
  type LogLines,
  readLogLines,
  removeLog,
  startLog,
} from './outbox-log.js';
import type { NodeState, OutboxEntry } from './state.js';
import { pendingMessages } from './state.js';

/**
 * A message that waits, as the file keeps it: bounded as a message is (a text that could never
 * go out is not kept, see `tooLong`), and never its secret.
 */
export const WaitingMessage = t.type({
  msg_id: Uuid,
  to: t.type({
    username: t.union([t.string, t.null]),
    host: t.string,
    port: t.number,
  }),
  text: MessageText,
  group: Group,
  attempts: t.number,
  paused: t.boolean,
  // When it was paused (ms since the epoch); absent in files written before it was kept.
  paused_at: t.union([t.number, t.undefined]),
});
/** A waiting message as it is written (its text bounded where it is taken in). */
type StoredMessage = Omit<t.TypeOf<typeof WaitingMessage>, 'text'> & { readonly text: string };

const OutboxFile = t.type({
  version: t.literal(1),
  messages: t.array(WaitingMessage),
  // The id of the log of changes that goes with this copy; absent in older files.
  log: t.union([t.string, t.undefined]),
});

/** The lines of the log, by `op`: a message put (new, or its text changed), updated, dropped. */
const CHANGES = {
  put: t.type({ op: t.literal('put'), message: WaitingMessage }),
  // What may change of a message once it waits: all but its id and text.
  update: t.type({
    op: t.literal('update'),
    msg_id: Uuid,
    to: WaitingMessage.props.to,
    group: Group,
    attempts: t.number,
    paused: t.boolean,
    paused_at: t.union([t.number, t.undefined]),
  }),
  drop: t.type({ op: t.literal('drop'), msg_id: Uuid }),
} as const;
type Change =
  | { readonly op: 'put'; readonly message: StoredMessage }
  | (Omit<StoredMessage, 'text'> & { readonly op: 'update' })
  | { readonly op: 'drop'; readonly msg_id: string };

export interface OutboxStore {
  /** The messages kept from an earlier run, ready to go out again (now). */
  load(): readonly OutboxEntry[];
  /** Keep what the state has pending (throws when it cannot: say so, keep running). */
  save(state: NodeState): void;
  /**
   * Messages handed in while the node runs, by another process of its name (outbox-inbox.ts),
   * as many at a time as `admit` says the outbox has room for.
   */
  readonly handedIn?: (admit: Admit) => Observable<readonly OutboxEntry[]>;
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
});

/** The log of changes that goes with the outbox file at `path`. */
export const logFileOf = (path: string): string => `${path}+changes`;

/** What the file and its log hold: the messages that wait, in order, and what cannot. */
interface Kept {
  readonly messages: readonly StoredMessage[];
  /** Messages whose text is longer than a message may carry: they could never go out. */
  readonly tooLong: readonly unknown[];
  /** Why a line of the log could not be read (the changes before it are kept). */
  readonly logProblem: string | undefined;
}

/**
 * `value` decoded; or, when its only faults are texts too long to go out (at `textPath`, a
 * path with one number in it: the message's index), the rest and those set apart.
 */
const decodeBounded = <A>(
  codec: t.Decoder<unknown, A>,
  value: unknown,
  textPath: RegExp,
  without: (tooLong: ReadonlySet<number>) => unknown,
): E.Either<string, { readonly value: A; readonly tooLong: ReadonlySet<number> }> => {
  const decoded = codec.decode(value);
  if (E.isRight(decoded)) return E.right({ value: decoded.right, tooLong: new Set() });
  const tooLong = new Set<number>();
  for (const error of decoded.left) {
    const at = textPath.exec(fieldPath(error));
    if (at === null || typeof error.value !== 'string') return E.left(describeErrors(decoded.left));
    tooLong.add(Number(at[1] ?? 0));
  }
  return E.bimap(describeErrors, (rest: A) => ({ value: rest, tooLong }))(
    codec.decode(without(tooLong)),
  );
};

const parse = (text: string, what: string): E.Either<string, unknown> =>
  E.tryCatch(
    () => JSON.parse(text) as unknown,
    () => `${what}: not valid JSON`,
  );

/** The copy of the outbox in `path` (no file: empty), or why it cannot be read. */
const readCopy = (path: string) => {
  if (!existsSync(path)) return E.right({ messages: [], log: undefined, tooLong: [] });
  return E.chain((json: unknown) => {
    const raw = (json as { messages?: unknown } | null)?.messages;
    const all = Array.isArray(raw) ? raw : [];
    return E.bimap(
      (why: string) => `${path}: ${why}`,
      ({
        value,
        tooLong,
      }: {
        value: t.TypeOf<typeof OutboxFile>;
        tooLong: ReadonlySet<number>;
      }) => ({
        messages: value.messages as readonly StoredMessage[],
        log: value.log,
        tooLong: all.filter((_, i) => tooLong.has(i)),
      }),
    )(
      decodeBounded(OutboxFile, json, /^messages\.(\d+)\.text$/, (tooLong) => ({
        ...(json as object),
        messages: all.filter((_, i) => !tooLong.has(i)),
      })),
    );
  })(parse(readFileSync(path, 'utf8'), path));
};

/** One line of the log, or why it cannot be read; a put whose text is too long, set apart. */
const decodeChange = (line: string): E.Either<string, Change | { readonly tooLong: unknown }> =>
  E.chain((json: unknown) => {
    const op = (json as { op?: unknown } | null)?.op;
    if (op !== 'put' && op !== 'update' && op !== 'drop') {
      return E.left(`field 'op': expected "put", "update" or "drop", got ${JSON.stringify(op)}`);
    }
    if (op !== 'put') {
      const decoded: t.Validation<Change> = CHANGES[op].decode(json);
      return E.mapLeft(describeErrors)(decoded);
    }
    return E.map(({ value, tooLong }: { value: Change; tooLong: ReadonlySet<number> }) =>
      tooLong.size > 0 ? { tooLong: (json as { message: unknown }).message } : value,
    )(
      decodeBounded(CHANGES.put, json, /^message\.text$/, () => ({
        op: 'put',
        message: PLACEHOLDER,
      })),
    );
  })(parse(line, 'not valid JSON'));

/** Stands in for a message set apart, so that the rest of its line is still checked. */
const PLACEHOLDER = {
  msg_id: '00000000-0000-0000-0000-000000000000',
  to: { username: null, host: '', port: 0 },
  text: '',
  group: 'x25519',
  attempts: 0,
  paused: false,
};

const apply = (messages: Map<string, StoredMessage>, change: Change): void => {
  if (change.op === 'put') messages.set(change.message.msg_id, change.message);
  else if (change.op === 'drop') messages.delete(change.msg_id);
  else {
    const was = messages.get(change.msg_id);
    const { op: _, ...fields } = change;
    if (was !== undefined) messages.set(change.msg_id, { ...was, ...fields });
  }
};

/** The copy with its log's changes applied, up to the first line that cannot be read. */
const replay = (
  copy: E.Right<{ messages: readonly StoredMessage[]; tooLong: readonly unknown[] }>['right'],
  log: LogLines | undefined,
  logPath: string,
): Kept => {
  const messages = new Map(copy.messages.map((m) => [m.msg_id, m]));
  const tooLong = [...copy.tooLong];
  let logProblem: string | undefined;
  for (const [i, line] of (log?.lines ?? []).entries()) {
    const change = decodeChange(line);
    if (E.isLeft(change)) {
      logProblem = `${logPath}: line ${i + 2}: ${change.left}`;
      break;
    }
    if ('tooLong' in change.right) tooLong.push(change.right.tooLong);
    else apply(messages, change.right);
  }
  return { messages: [...messages.values()], tooLong, logProblem };
};

/**
 * What waits in the file at `path` and its log, or why the file cannot be read (naming the
 * file and the field). A log of another copy is left over from a fold, or one happened while
 * we read: the copy is read again (twice at most), then such a log is ignored.
 */
const read = (path: string): E.Either<string, Kept> => {
  const logPath = logFileOf(path);
  for (let tries = 1; ; tries += 1) {
    const copy = readCopy(path);
    if (E.isLeft(copy)) return copy;
    let log: LogLines | undefined;
    try {
      log = readLogLines(logPath);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return E.right({
        ...replay(copy.right, undefined, logPath),
        logProblem: `${logPath}: ${why}`,
      });
    }
    const ours =
      log !== undefined && copy.right.log !== undefined && log.snapshot === copy.right.log;
    if (ours || log === undefined || tries === 3) {
      return E.right(replay(copy.right, ours ? log : undefined, logPath));
    }
  }
};

/**
 * What waits in the file at `path`, without touching it (for a listing while a parley may be
 * running), or why it cannot be read (naming the file and the field).
 */
export const readOutboxFile = (path: string): E.Either<string, readonly OutboxEntry[]> =>
  E.map((kept: Kept) => kept.messages.map((m) => toEntry(m)))(read(path));

/** Moved out of the way, never overwritten: `what` it says, for the warning. */
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
  { now = Date.now, directoryChangedAtMs }: OutboxFileOptions = {},
): { readonly store: OutboxStore; readonly warnings: readonly string[] } => {
  const logPath = logFileOf(path);
  const stored = read(path);
  const warnings: string[] = [];
  if (E.isLeft(stored)) {
    const asides = [moveAside(path, `${path}.unreadable-${nowMs}`)];
    if (existsSync(logPath)) asides.push(moveAside(logPath, `${logPath}.unreadable-${nowMs}`));
    warnings.push(`${stored.left}; ${asides.join(', ')}, starting with an empty outbox`);
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

  /** The changes appended to the log (started on the first), or folded when it is long. */
  const keep = (next: Map<string, Saved>, changes: readonly string[]): void => {
    const bytes = changes.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);
    if (
      copy === undefined ||
      (log?.bytes() ?? 0) + bytes > Math.max(OUTBOX_LOG_MIN_BYTES, copy.bytes)
    ) {
      fold(next.values());
      return;
    }
    if (changes.length === 0) return;
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

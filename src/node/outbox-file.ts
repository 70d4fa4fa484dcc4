/**
 * The outbox on disk, so that a message never dies with the process: every message not (known
 * to be) delivered, written atomically (mode 0600) whenever the list changes — before a new
 * message's first try — and read back at start. Each keeps its msg_id, so a resend after a
 * crash is still shown once by the receiver. No secret is written: a message goes out again
 * with its contact's password from the directory as it is then.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Observable } from 'rxjs';
import { Group, mint, Uuid } from '../codecs/formats.js';
import { describeErrors } from '../codecs/report.js';
import { writeFileAtomicallySync } from './atomic-file.js';
import type { MessageSummary } from './jobs.js';
import type { Admit, Keep } from './outbox-inbox.js';
import type { NodeState, OutboxEntry } from './state.js';
import { pendingMessages } from './state.js';

const StoredMessage = t.type({
  msg_id: Uuid,
  to: t.type({
    username: t.union([t.string, t.null]),
    host: t.string,
    port: t.number,
  }),
  text: t.string,
  group: Group,
  attempts: t.number,
  paused: t.boolean,
  // When it was paused (ms since the epoch); absent in files written before it was kept.
  paused_at: t.union([t.number, t.undefined]),
});
type StoredMessage = t.TypeOf<typeof StoredMessage>;

const OutboxFile = t.type({ version: t.literal(1), messages: t.array(StoredMessage) });

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

/** The file's messages, or why it cannot be read (naming the file and the field). */
const read = (path: string): E.Either<string, readonly StoredMessage[]> => {
  if (!existsSync(path)) return E.right([]);
  return E.chain((json: unknown) =>
    E.bimap(
      (errors: t.Errors) => `${path}: ${describeErrors(errors)}`,
      (file: t.TypeOf<typeof OutboxFile>) => file.messages,
    )(OutboxFile.decode(json)),
  )(
    E.tryCatch(
      () => JSON.parse(readFileSync(path, 'utf8')) as unknown,
      () => `${path}: not valid JSON`,
    ),
  );
};

/**
 * What waits in the file at `path`, without touching it (for a listing while a parley may be
 * running), or why it cannot be read (naming the file and the field).
 */
export const readOutboxFile = (path: string): E.Either<string, readonly OutboxEntry[]> =>
  E.map((messages: readonly StoredMessage[]) => messages.map(toEntry))(read(path));

/**
 * The outbox kept in `path`. A file that cannot be read is moved aside (never overwritten, so
 * nothing in it is lost) and said in `warnings`.
 */
export const createOutboxFile = (
  path: string,
  nowMs = Date.now(),
  { now = Date.now, directoryChangedAtMs }: OutboxFileOptions = {},
): { readonly store: OutboxStore; readonly warnings: readonly string[] } => {
  const stored = read(path);
  const warnings: string[] = [];
  if (E.isLeft(stored)) {
    const aside = `${path}.unreadable-${nowMs}`;
    renameSync(path, aside);
    warnings.push(`${stored.left}; moved to ${aside}, starting with an empty outbox`);
  }
  const kept = E.isRight(stored) ? stored.right : [];
  const loaded = kept.map((m) => toEntry(m, directoryChangedAtMs));
  // When each message still paused was paused: kept from save to save, not the time of each.
  let pausedAt = new Map<string, number>(
    kept.flatMap((m, i) =>
      loaded[i]?.paused && m.paused_at !== undefined ? [[m.msg_id, m.paused_at] as const] : [],
    ),
  );
  const store: OutboxStore = {
    load: () => loaded,
    save: (state) => {
      const entries = new Map(state.outbox.map((e) => [e.job.msgId, e]));
      const nowPaused = new Map<string, number>();
      const messages = pendingMessages(state).map((m) => {
        const entry = entries.get(m.msgId);
        if (entry?.paused) nowPaused.set(m.msgId, pausedAt.get(m.msgId) ?? now());
        return toStored(m, entry, nowPaused.get(m.msgId));
      });
      writeFileAtomicallySync(path, `${JSON.stringify({ version: 1, messages }, null, 1)}\n`);
      pausedAt = nowPaused;
    },
  };
  return { store, warnings };
};

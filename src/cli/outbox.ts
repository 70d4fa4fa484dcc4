/**
 * The outbox of a name on disk, for the chat, `listen` and `send --queue`: the file
 * `outbox-<name>` in the checked state directory (beside the seen file), held by one parley
 * at a time (see lock-file.ts). Without a usable state directory the outbox lives in memory,
 * and what was not delivered is lost on quitting (the chat asks first then).
 */
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { EMPTY_DIRECTORY } from '../codecs/directory.js';
import { MessageText, mint, Username, Uuid } from '../codecs/formats.js';
import { MAX_OUTBOX_BYTES, MAX_OUTBOX_MESSAGES, STALE_TEMP_MS } from '../limits.js';
import { removeStaleTemps } from '../node/atomic-file.js';
import type { DedupeMemory } from '../node/dedupe.js';
import type { MessageSummary } from '../node/jobs.js';
import { createOutboxFile, type OutboxFileOptions, type OutboxStore } from '../node/outbox-file.js';
import { type Admit, handedIn$, handIn, type Keep } from '../node/outbox-inbox.js';
import type { DeliveryReport } from '../node/reports.js';
import { initialNodeState, type NodeState, pendingTotals, reduceNodeState } from '../node/state.js';
import { EXIT } from './args.js';
import { say, seenMemory } from './common.js';
import { liveHolder, type Refusal, takeLock } from './lock-file.js';
import { prepareStateDirectory } from './state-dir.js';
import { messages } from './waiting.js';

/** `outbox-<name>` in the state directory `dir`; the name encoded as the seen file's is. */
export const outboxFileOf = (dir: string, name: string): string =>
  join(dir, `outbox-${encodeURIComponent(name)}`);

/** `inbox-<name>`: where other processes of `name` hand messages to the one holding the outbox. */
export const inboxDirOf = (outboxFile: string): string =>
  join(dirname(outboxFile), `inbox-${basename(outboxFile).slice('outbox-'.length)}`);

/** `lock-outbox-<name>`: a prefix no outbox or seen file has, whatever the name. */
export const lockFileOf = (outboxFile: string): string =>
  join(dirname(outboxFile), `lock-${basename(outboxFile)}`);

export type KeptOutbox =
  | {
      readonly kind: 'durable';
      readonly path: string;
      readonly store: OutboxStore;
      /** Give the file back to other runs (at the end; also done at exit). */
      readonly release: () => void;
    }
  /** In memory only: the file it would be in, and why not (`heldBy`: another parley has it). */
  | {
      readonly kind: 'memory';
      readonly path: string;
      readonly reason: string;
      readonly heldBy?: number;
    };

/** What a run with the outbox in memory says at start. */
export const inMemoryWarning = (kept: Extract<KeptOutbox, { kind: 'memory' }>): string =>
  `cannot keep the outbox in ${kept.path} (${kept.reason}); it is kept in memory: ` +
  'what is not delivered is lost when parley ends';

const refusalWords = (refused: Refusal, name: string): string =>
  refused.kind === 'held'
    ? `another parley (pid ${refused.pid}) is running as ${name} and keeps it`
    : refused.reason;

const errorWords = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The outbox of `name`, on disk when the state directory allows it. Left: the state directory
 * may not be used (others may write to it) and parley should not start. The file's warnings
 * (an unreadable one moved aside) go to `say`.
 */
export const keptOutbox = (
  name: string,
  say: (text: string) => void,
  options: OutboxFileOptions = {},
): E.Either<string, KeptOutbox> => {
  const dir = prepareStateDirectory();
  if (E.isLeft(dir)) return dir;
  const path = outboxFileOf(dir.right.path, name);
  const inMemory = (reason: string, heldBy?: number): E.Either<string, KeptOutbox> =>
    E.right({ kind: 'memory', path, reason, ...(heldBy === undefined ? {} : { heldBy }) });
  if (dir.right.kind === 'unavailable') return inMemory(dir.right.reason);
  const taken = takeLock(lockFileOf(path));
  if ('refused' in taken) {
    const { refused } = taken;
    return inMemory(refusalWords(refused, name), refused.kind === 'held' ? refused.pid : undefined);
  }
  try {
    const inbox = inboxDirOf(path);
    // Writes cut short (kill -9) leave their temporary files; the lock is ours, so nothing of
    // this name is being written but by us, and age spares another name's write in progress.
    for (const folder of [dir.right.path, inbox]) {
      const removed = removeStaleTemps(folder, STALE_TEMP_MS).length;
      if (removed > 0)
        say(`removed ${removed} temporary file(s) left in ${folder} by writes cut short`);
    }
    const opened = createOutboxFile(path, Date.now(), options);
    for (const warning of opened.warnings) say(warning);
    // Whoever holds the outbox also takes what others of its name hand in (send --queue).
    const store = {
      ...opened.store,
      handedIn: (admit: Admit, keep: Keep) => handedIn$(inbox, say, admit, keep),
    };
    return E.right({ kind: 'durable', path, store, release: taken.lock.release });
  } catch (err) {
    taken.lock.release();
    return inMemory(errorWords(err));
  }
};

/** Why the outbox cannot take one more message of `text`, if it cannot (the node's caps). */
const fullness = (state: NodeState, text: string, name: string): string | undefined => {
  const { count, bytes } = pendingTotals(state);
  const full =
    count >= MAX_OUTBOX_MESSAGES || bytes + Buffer.byteLength(text, 'utf8') > MAX_OUTBOX_BYTES;
  return full
    ? `the outbox of ${name} is full (${messages(count)}, ${Math.ceil(bytes / 1024)} KiB): let some go out first`
    : undefined;
};

/** The outbox as it was, with one more message that failed as `report` says. */
const withFailed = (
  kept: NodeState['outbox'],
  message: MessageSummary,
  report: DeliveryReport,
): NodeState => {
  const events = [
    { kind: 'restored', outbox: kept },
    { kind: 'queued', jobId: 1, message },
    // 0: as soon as a parley of this name runs.
    { kind: 'delivery', jobId: 1, report, retryAt: 0 },
  ] as const;
  return events.reduce(reduceNodeState, initialNodeState(EMPTY_DIRECTORY));
};

/**
 * Into the inbox of the parley that holds the outbox of this name now, as the entry it would
 * have been in the outbox file (its attempts, paused or not). Right: the file it waits in.
 */
const handInstead = (
  outboxFile: string,
  message: MessageSummary,
  report: DeliveryReport,
): E.Either<string, string> => {
  const entry = withFailed([], message, report).outbox[0];
  const username = message.to.username;
  // --queue takes only --to USER (args.ts): a destination typed by hand has no name to give.
  if (entry === undefined || username === undefined) {
    return E.left('a destination typed by hand cannot be queued');
  }
  const inbox = inboxDirOf(outboxFile);
  try {
    return E.right(
      handIn(inbox, {
        version: 1,
        msg_id: mint(Uuid, message.msgId),
        to: { username: mint(Username, username), host: message.to.host, port: message.to.port },
        text: mint(MessageText, message.text),
        group: message.group,
        attempts: entry.attempts,
        paused: entry.paused,
      }),
    );
  } catch (err) {
    return E.left(`cannot hand it to ${inbox} (${errorWords(err)})`);
  }
};

/**
 * `send --queue`: add a message that was not delivered to the outbox of `name`, for its next
 * chat or `listen` to send. Right: the file it waits in. Left: why it could not be kept.
 * Should another parley of the name hold the outbox now (one started since `queueRoute`
 * looked, or another `send --queue` at the same instant), the message is handed in to it.
 */
export const queueInOutbox = (
  name: string,
  message: MessageSummary,
  report: DeliveryReport,
  say: (text: string) => void,
): E.Either<string, string> => {
  const kept = keptOutbox(name, say);
  if (E.isLeft(kept)) return kept;
  if (kept.right.kind === 'memory') {
    // Handed in even if that parley has ended since (a send --queue holds it for an instant):
    // the file waits for the next chat or listen of the name, which takes it at start.
    const { path, reason, heldBy } = kept.right;
    return heldBy !== undefined
      ? handInstead(path, message, report)
      : E.left(`cannot keep it in ${path} (${reason})`);
  }
  const { path, store, release } = kept.right;
  try {
    const waiting = store.load();
    const full = fullness(
      { ...initialNodeState(EMPTY_DIRECTORY), outbox: waiting },
      message.text,
      name,
    );
    if (full !== undefined) return E.left(full);
    store.save(withFailed(waiting, message, report));
    return E.right(path);
  } catch (err) {
    return E.left(`cannot write ${path} (${errorWords(err)})`);
  } finally {
    release();
  }
};

/** Where `send --queue` may keep a message it cannot deliver. */
export type QueueRoute =
  /** In the outbox file itself: no parley of the name runs. */
  | { readonly kind: 'outbox' }
  /** Handed to the parley of the name that runs now and holds the outbox. */
  | { readonly kind: 'handOver'; readonly pid: number; readonly inbox: string };

/**
 * Before `send --queue` sends: where a message it cannot deliver could wait for the next try
 * (Left: nowhere, the state directory cannot be used).
 */
export const queueRoute = (name: string): E.Either<string, QueueRoute> => {
  const dir = prepareStateDirectory();
  if (E.isLeft(dir)) return dir;
  const path = outboxFileOf(dir.right.path, name);
  if (dir.right.kind === 'unavailable') {
    return E.left(`cannot keep the outbox in ${path} (${dir.right.reason})`);
  }
  const pid = liveHolder(lockFileOf(path));
  return E.right(
    pid === undefined ? { kind: 'outbox' } : { kind: 'handOver', pid, inbox: inboxDirOf(path) },
  );
};

/** When a file last changed (ms since the epoch), if it can be told. */
const changedAt = (path: string | undefined): number | undefined => {
  if (path === undefined) return undefined;
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

/** What a listening run of `name` keeps in the state directory. */
export interface PeerState {
  /** The seen file (undefined: in memory, already said). */
  readonly dedupe: DedupeMemory | undefined;
  /** The outbox on disk (undefined: in memory, already said). */
  readonly durable: Extract<KeptOutbox, { kind: 'durable' }> | undefined;
}

/**
 * Opens what `name` keeps (the seen file, the outbox), runs `run` with it, and gives the
 * outbox back at the end whatever happens. A state directory that may not be used stops the
 * run before it starts (exit 1, the reason said).
 */
export const withPeerState = async (
  name: string,
  run: (state: PeerState) => Promise<number>,
  /** The directory file, if any: a message paused before it last changed goes out again. */
  directoryFile?: string,
): Promise<number> => {
  const dedupe = seenMemory(name);
  if (E.isLeft(dedupe)) {
    say(dedupe.left);
    return EXIT.failed;
  }
  const outbox = keptOutbox(name, say, { directoryChangedAtMs: changedAt(directoryFile) });
  if (E.isLeft(outbox)) {
    say(outbox.left);
    return EXIT.failed;
  }
  if (outbox.right.kind === 'memory') say(inMemoryWarning(outbox.right));
  const durable = outbox.right.kind === 'durable' ? outbox.right : undefined;
  try {
    return await run({ dedupe: dedupe.right, durable });
  } finally {
    durable?.release();
  }
};

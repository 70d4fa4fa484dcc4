/**
 * The outbox of a name for the CLI's programs: the chat and `listen` open what the name keeps
 * (src/store/name-store.ts); `send --queue` adds a message to it, or hands it to the parley of
 * the name that runs now.
 */
import * as E from 'fp-ts/lib/Either.js';
import { EMPTY_DIRECTORY } from '../codecs/directory.js';
import { MessageText, mint, Username, Uuid } from '../codecs/formats.js';
import { type ParleyError, parleyError, whyOf } from '../errors.js';
import type { MessageSummary } from '../node/jobs.js';
import type { DeliveryReport } from '../node/reports.js';
import {
  initialNodeState,
  type NodeState,
  type OutboxCaps,
  outboxOverflow,
  pendingTotals,
  reduceNodeState,
} from '../node/state.js';
import { liveHolder } from '../store/lock-file.js';
import {
  changedAt,
  inboxDirOf,
  keptOutbox,
  lockFileOf,
  type NameStore,
  openNameStore,
  outboxFileOf,
} from '../store/name-store.js';
import { handIn } from '../store/outbox-inbox.js';
import { prepareStateDirectory } from '../store/state-dir.js';
import { EXIT } from './args.js';
import { say } from './common.js';
import { messages } from './waiting.js';

/** Why the outbox cannot take one more message of `text`, if it cannot (the node's caps). */
const fullness = (
  state: NodeState,
  text: string,
  name: string,
  caps: OutboxCaps,
): string | undefined => {
  const totals = pendingTotals(state);
  return outboxOverflow(totals, text, caps) === undefined
    ? undefined
    : `the outbox of ${name} is full (${messages(totals.count)}, ${Math.ceil(totals.bytes / 1024)} KiB): let some go out first`;
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

/** Why `send --queue` could not keep a message (each code a step that failed). */
export type QueueError = ParleyError<
  'usage' | 'state_directory' | 'outbox_file' | 'outbox_full' | 'inbox_file'
>;

/**
 * Into the inbox of the parley that holds the outbox of this name now, as the entry it would
 * have been in the outbox file (its attempts, paused or not). Right: the file it waits in.
 */
const handInstead = (
  outboxFile: string,
  message: MessageSummary,
  report: DeliveryReport,
): E.Either<QueueError, string> => {
  const entry = withFailed([], message, report).outbox[0];
  const username = message.to.username;
  // --queue takes only --to USER (args.ts): a destination typed by hand has no name to give.
  if (entry === undefined || username === undefined) {
    return E.left(parleyError('usage', 'a destination typed by hand cannot be queued'));
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
        written_at: message.writtenAt,
      }),
    );
  } catch (err) {
    return E.left(parleyError('inbox_file', `cannot hand it to ${inbox} (${whyOf(err)})`));
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
  /** The caps of the nodes that will send it (those of their options). */
  caps: OutboxCaps,
): E.Either<QueueError, string> => {
  const kept = keptOutbox(name, say);
  if (E.isLeft(kept)) return kept;
  if (kept.right.kind === 'memory') {
    // Handed in even if that parley has ended since (a send --queue holds it for an instant):
    // the file waits for the next chat or listen of the name, which takes it at start.
    const { path, reason, heldBy } = kept.right;
    return heldBy !== undefined
      ? handInstead(path, message, report)
      : E.left(parleyError('outbox_file', `cannot keep it in ${path} (${reason})`));
  }
  const { path, store, release } = kept.right;
  try {
    const waiting = store.load();
    const full = fullness(
      { ...initialNodeState(EMPTY_DIRECTORY), outbox: waiting },
      message.text,
      name,
      caps,
    );
    if (full !== undefined) return E.left(parleyError('outbox_full', full));
    store.save(withFailed(waiting, message, report));
    return E.right(path);
  } catch (err) {
    return E.left(parleyError('outbox_file', `cannot write ${path} (${whyOf(err)})`));
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
export const queueRoute = (
  name: string,
): E.Either<ParleyError<'state_directory' | 'outbox_file'>, QueueRoute> => {
  const dir = prepareStateDirectory();
  if (E.isLeft(dir)) return dir;
  const path = outboxFileOf(dir.right.path, name);
  if (dir.right.kind === 'unavailable') {
    return E.left(
      parleyError('outbox_file', `cannot keep the outbox in ${path} (${dir.right.reason})`),
    );
  }
  const pid = liveHolder(lockFileOf(path));
  return E.right(
    pid === undefined ? { kind: 'outbox' } : { kind: 'handOver', pid, inbox: inboxDirOf(path) },
  );
};

/**
 * Opens what `name` keeps (the seen file, the outbox: `openNameStore`), runs `run` with it, and
 * gives the outbox back at the end whatever happens. A state directory that may not be used
 * stops the run before it starts (exit 1, the reason said).
 */
export const withPeerState = async (
  name: string,
  run: (state: NameStore) => Promise<number>,
  /** The directory file, if any: a message paused before it last changed goes out again. */
  directoryFile?: string,
): Promise<number> => {
  const opened = openNameStore(name, say, { directoryChangedAtMs: changedAt(directoryFile) });
  if (E.isLeft(opened)) {
    say(opened.left.message);
    return EXIT.failed;
  }
  try {
    return await run(opened.right);
  } finally {
    opened.right.durable?.release();
  }
};

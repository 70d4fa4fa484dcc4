/**
 * The node's state as a reducer over its events, as redux folds actions: what it listens on,
 * its contacts, how many jobs are under way, and the outbox of messages not (known to be)
 * delivered. The pipeline reads it for its decisions; `createNode` exposes it as `state$`.
 */
import type { Directory } from '../codecs/directory.js';
import type { MessageSummary } from './jobs.js';
import { withMove } from './moves.js';
import type { DeliveryReport } from './reports.js';
import { detailsChanged, needsNewDetails } from './retry.js';
import type { NodeEvent } from './types.js';

export interface OutboxEntry {
  readonly job: MessageSummary;
  /** The last attempt's report (for a message kept from an earlier run: why it waits). */
  readonly report: DeliveryReport;
  /** Attempts so far. */
  readonly attempts: number;
  /** When it goes out again by itself (scheduler ms; 0: as soon as it can). */
  readonly nextTryAt: number | undefined;
  /** Not retried by itself: the password was refused; until the contact's details change. */
  readonly paused: boolean;
}

export interface NodeState {
  readonly listening: { readonly port: number; readonly host: string } | undefined;
  readonly directory: Directory;
  /** Jobs taken and not yet reported (waiting for a slot, or running). */
  readonly running: number;
  /** Message jobs under way, by job id: what the outbox keeps if they fail. */
  readonly sending: ReadonlyMap<number, MessageSummary>;
  /** Messages not (known to be) delivered, oldest first. */
  readonly outbox: readonly OutboxEntry[];
}

export const initialNodeState = (directory: Directory): NodeState => ({
  listening: undefined,
  directory,
  running: 0,
  sending: new Map(),
  outbox: [],
});

const without = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  const next = new Map(map);
  next.delete(key);
  return next;
};

/** The outbox after a message's report: dropped when delivered, else kept (or updated). */
const settle = (
  outbox: readonly OutboxEntry[],
  job: MessageSummary,
  event: Extract<NodeEvent, { kind: 'delivery' }>,
): readonly OutboxEntry[] => {
  const { report } = event;
  if (report.outcome === 'delivered') return outbox.filter((e) => e.job.msgId !== report.msgId);
  const at = outbox.findIndex((e) => e.job.msgId === report.msgId);
  const entry: OutboxEntry = {
    job,
    report,
    attempts: (outbox[at]?.attempts ?? 0) + 1,
    nextTryAt: event.retryAt,
    paused: needsNewDetails(report),
  };
  // A retry keeps its place in the list, so that the numbers /outbox shows stay put.
  return at < 0 ? [...outbox, entry] : outbox.map((e, i) => (i === at ? entry : e));
};

/**
 * New details for a contact (a new password, say): its waiting messages go out again now,
 * the paused ones too, and the ones waiting for their time (a password its peer refused is
 * retried on schedule, not paused: the new one need not wait for it).
 */
const resume = (outbox: readonly OutboxEntry[], before: Directory, after: Directory) =>
  outbox.some((e) => e.job.to.username !== undefined)
    ? outbox.map((e) =>
        e.job.to.username !== undefined && detailsChanged(before, after, e.job.to.username)
          ? { ...e, paused: false, nextTryAt: 0 }
          : e,
      )
    : outbox;

export const reduceNodeState = (state: NodeState, event: NodeEvent): NodeState => {
  switch (event.kind) {
    case 'listening':
      return { ...state, listening: { port: event.port, host: event.host } };
    case 'restored': {
      // One entry per message: one handed in twice (a crash before its file was removed) or
      // already here is not kept again.
      const known = new Set([
        ...state.outbox.map((e) => e.job.msgId),
        ...[...state.sending.values()].map((m) => m.msgId),
      ]);
      const fresh: OutboxEntry[] = [];
      for (const entry of event.outbox) {
        if (known.has(entry.job.msgId)) continue;
        known.add(entry.job.msgId);
        fresh.push(entry);
      }
      return fresh.length === 0 ? state : { ...state, outbox: [...state.outbox, ...fresh] };
    }
    case 'contacts':
      return {
        ...state,
        directory: event.directory,
        outbox: resume(state.outbox, state.directory, event.directory),
      };
    case 'moved': {
      // The move is ours to make (not a caller's contacts): the outbox resumes as on /edit.
      const directory = withMove(state.directory, event);
      return { ...state, directory, outbox: resume(state.outbox, state.directory, directory) };
    }
    case 'queued':
      return {
        ...state,
        running: state.running + 1,
        sending:
          event.message === undefined
            ? state.sending
            : new Map(state.sending).set(event.jobId, event.message),
      };
    case 'delivery': {
      const job = state.sending.get(event.jobId);
      return {
        ...state,
        running: state.running - 1,
        sending: job === undefined ? state.sending : without(state.sending, event.jobId),
        outbox: job === undefined ? state.outbox : settle(state.outbox, job, event),
      };
    }
    case 'probe':
      return { ...state, running: state.running - 1 };
    case 'dropped':
      // Not one being sent: its report would put it back (the console checks before asking).
      return [...state.sending.values()].some((m) => m.msgId === event.msgId)
        ? state
        : { ...state, outbox: state.outbox.filter((e) => e.job.msgId !== event.msgId) };
    default:
      return state;
  }
};

/** Every message not (known to be) delivered: the outbox and those on their first try. */
export const pendingMessages = (state: NodeState): MessageSummary[] => {
  const kept = new Set(state.outbox.map((e) => e.job.msgId));
  const firstTries = [...state.sending.values()].filter((m) => !kept.has(m.msgId));
  return [...state.outbox.map((e) => e.job), ...firstTries];
};

/** How many messages wait, and their text's size in bytes: what the outbox's caps count. */
export const pendingTotals = (
  state: NodeState,
): { readonly count: number; readonly bytes: number } => {
  const waiting = pendingMessages(state);
  return {
    count: waiting.length,
    bytes: waiting.reduce((sum, m) => sum + Buffer.byteLength(m.text, 'utf8'), 0),
  };
};

/** The outbox's caps: messages, and their texts' UTF-8 bytes together. */
export interface OutboxCaps {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/**
 * Which cap one more message of `text` would pass, beside `totals` waiting already (see
 * `pendingTotals`), if any: the one rule of the outbox's room, for a new message, a handed-in
 * one, and `send --queue` alike.
 */
export const outboxOverflow = (
  totals: { readonly count: number; readonly bytes: number },
  text: string,
  caps: OutboxCaps,
): 'messages' | 'bytes' | undefined => {
  if (totals.count + 1 > caps.maxMessages) return 'messages';
  if (totals.bytes + Buffer.byteLength(text, 'utf8') > caps.maxBytes) return 'bytes';
  return undefined;
};

/**
 * How many of `entries`, in order, fit in the outbox now under its caps (the first that does
 * not fit stops the count: they are taken in the order they came).
 */
export const roomFor = (
  state: NodeState,
  entries: readonly OutboxEntry[],
  caps: OutboxCaps,
): number => {
  let totals = pendingTotals(state);
  let fits = 0;
  for (const entry of entries) {
    if (outboxOverflow(totals, entry.job.text, caps) !== undefined) break;
    totals = {
      count: totals.count + 1,
      bytes: totals.bytes + Buffer.byteLength(entry.job.text, 'utf8'),
    };
    fits += 1;
  }
  return fits;
};

/**
 * The node's state as a reducer over its events, as redux folds actions: what it listens on,
 * its contacts, how many jobs are under way, and the outbox of messages not (known to be)
 * delivered. The pipeline reads it for its decisions; `createNode` exposes it as `state$`.
 */
import type { Directory } from '../codecs/directory.js';
import type { MessageSummary } from './jobs.js';
import type { DeliveryReport } from './reports.js';
import type { NodeEvent } from './types.js';

export interface OutboxEntry {
  readonly job: MessageSummary;
  /** The last attempt's report. */
  readonly report: DeliveryReport;
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
  report: DeliveryReport,
): readonly OutboxEntry[] => {
  const others = outbox.filter((e) => e.job.msgId !== report.msgId);
  if (report.outcome === 'delivered') return others;
  const at = outbox.findIndex((e) => e.job.msgId === report.msgId);
  const entry = { job, report };
  // A retry keeps its place in the list, so that the numbers /outbox shows stay put.
  return at < 0 ? [...outbox, entry] : outbox.map((e, i) => (i === at ? entry : e));
};

export const reduceNodeState = (state: NodeState, event: NodeEvent): NodeState => {
  switch (event.kind) {
    case 'listening':
      return { ...state, listening: { port: event.port, host: event.host } };
    case 'contacts':
      return { ...state, directory: event.directory };
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
        outbox: job === undefined ? state.outbox : settle(state.outbox, job, event.report),
      };
    }
    case 'probe':
      return { ...state, running: state.running - 1 };
    default:
      return state;
  }
};

/**
 * The node's books on its jobs: who waits for each report, and the outbox of messages not
 * (known to be) delivered. Kept by the node rather than by the caller's subscription, so that
 * a failed message is kept even when nobody listens for its report any more.
 */
import {
  addressOf,
  type DeliveryReport,
  type Destination,
  type ProbeReport,
  type SendJob,
} from './reports.js';

export type Report = DeliveryReport | ProbeReport;

export interface OutboxEntry {
  readonly job: SendJob & { readonly msgId: string };
  readonly report: DeliveryReport;
}

export interface JobBook {
  /** A job was queued: `waiter` gets its report; a message job is kept until it is settled. */
  opened(id: number, waiter: (report: Report) => void, message?: OutboxEntry['job']): void;
  /** The caller stopped listening (the job runs on, and is still settled). */
  unwatched(id: number): void;
  /** A job's report came: pass it on, and keep the message in the outbox unless delivered. */
  settled(id: number, report: Report): void;
  /** Keep a message that was refused before it was queued. */
  keep(message: OutboxEntry['job'], report: DeliveryReport): void;
  outbox(): readonly OutboxEntry[];
  find(msgId: string): OutboxEntry | undefined;
}

export const createJobBook = (): JobBook => {
  const waiting = new Map<number, (report: Report) => void>();
  const sending = new Map<number, OutboxEntry['job']>();
  const outbox = new Map<string, OutboxEntry>();
  const keep = (job: OutboxEntry['job'], report: DeliveryReport) => {
    if (report.outcome === 'delivered') outbox.delete(job.msgId);
    else outbox.set(job.msgId, { job, report });
  };
  return {
    opened(id, waiter, message) {
      waiting.set(id, waiter);
      if (message) sending.set(id, message);
    },
    unwatched: (id) => waiting.delete(id),
    settled(id, report) {
      const message = sending.get(id);
      if (message && 'msgId' in report) keep(message, report);
      sending.delete(id);
      waiting.get(id)?.(report);
      waiting.delete(id);
    },
    keep,
    outbox: () => [...outbox.values()],
    find: (msgId) => outbox.get(msgId),
  };
};

const SHUTTING_DOWN = 'parley is shutting down; nothing was sent';
const QUEUE_FULL = 'too many messages are waiting; try again shortly';

/** The report of a message refused before it was queued (closing, queue full, no such id). */
export const refusedDelivery = (job: OutboxEntry['job'], message: string): DeliveryReport => ({
  outcome: 'not_delivered',
  msgId: job.msgId,
  to: addressOf(job.to),
  failure: { cause: 'refused', message },
  reason: message,
  elapsedMs: 0,
});

export const refusedProbe = (to: Destination, message: string): ProbeReport => ({
  outcome: 'failed',
  to: addressOf(to),
  failure: { cause: 'refused', message },
  reason: message,
  elapsedMs: 0,
});

/** Why a job is refused before it is queued. */
export const refusal = (closed: boolean): string => (closed ? SHUTTING_DOWN : QUEUE_FULL);

/**
 * The node's side of the history (the store port's `history`): a fresh message is kept there
 * as part of its delivery, before its id is recorded and its ack goes out (so a message its
 * sender saw "delivered" is always in our history); a sent one is kept from the node's events,
 * in its state as the reports tell it. Through the port only: no file here.
 */
import type { ReceivedMessage } from '../actors/types.js';
import { whyOf } from '../errors.js';
import type { HistoryRecord, SentState } from '../store/history-codec.js';
import type { HistoryStore } from '../store/history-store.js';
import type { MessageSummary } from './jobs.js';
import type { Address } from './reports.js';
import type { NodeState } from './state.js';
import type { NodeEvent } from './types.js';

/** Who a message went to, as the history names the contact. */
export const contactOf = (to: Address): string => to.username ?? `${to.host}:${to.port}`;

const receivedRecord = (m: ReceivedMessage, atMs: number): HistoryRecord => ({
  msgId: m.msgId,
  direction: 'in',
  contact: m.from,
  text: m.text,
  timestamp: m.timestamp,
  atMs,
});

/**
 * What a delivery keeps first (answerFrom's `keep`): the message in the history, written and
 * flushed (a retry kept already is not kept again). When it throws the delivery fails:
 * nothing is acknowledged and the sender tries again. No history: nothing to keep.
 */
export const keepReceived = (
  history: HistoryStore | undefined,
  nowMs: () => number,
): ((message: ReceivedMessage) => void) | undefined =>
  history === undefined
    ? undefined
    : (message) => {
        history.keep(receivedRecord(message, nowMs()));
      };

const sentRecord = (m: MessageSummary, state: SentState, atMs: number): HistoryRecord => ({
  msgId: m.msgId,
  direction: 'out',
  contact: contactOf(m.to),
  text: m.text,
  timestamp: new Date(atMs).toISOString(),
  atMs,
  state,
});

/**
 * What an event (folded from `before` into `after`) tells of sent messages: taken (waiting),
 * reported (delivered; waiting in the outbox; or given up: not delivered and not kept there),
 * kept from an earlier run or handed in (waiting).
 */
export const sentRecords = (
  event: NodeEvent,
  before: NodeState,
  after: NodeState,
  atMs: number,
): HistoryRecord[] => {
  switch (event.kind) {
    case 'queued':
      return event.message === undefined ? [] : [sentRecord(event.message, 'waiting', atMs)];
    case 'restored':
      return event.outbox.map((e) => sentRecord(e.job, 'waiting', atMs));
    case 'delivery': {
      const m = before.sending.get(event.jobId);
      if (m === undefined) return [];
      if (event.report.outcome === 'delivered') return [sentRecord(m, 'delivered', atMs)];
      const kept = after.outbox.some((e) => e.job.msgId === m.msgId);
      return [sentRecord(m, kept ? 'waiting' : 'given_up', atMs)];
    }
    default:
      return [];
  }
};

/** Keeps them; a history that cannot be written is said (the node goes on). */
export const keepSent = (
  history: HistoryStore | undefined,
  records: readonly HistoryRecord[],
): NodeEvent[] => {
  if (history === undefined) return [];
  const failed: NodeEvent[] = [];
  for (const record of records) {
    try {
      history.keep(record);
    } catch (err) {
      failed.push({ kind: 'error', code: 'internal', message: whyOf(err) });
    }
  }
  return failed;
};

/**
 * The jobs the pipeline takes (send a message, probe a contact, send an undelivered message
 * again) and the reports of jobs refused before they ran.
 */
import type { Group, Uuid } from '../codecs/formats.js';
import type { CheckedDestination } from '../codecs/inputs.js';
import {
  type Address,
  addressOf,
  type DeliveryReport,
  type Destination,
  type ProbeReport,
} from './reports.js';

/** A job, numbered by whoever makes it (ids are unique per source). */
export type Job =
  | {
      readonly id: number;
      readonly kind: 'message';
      readonly to: CheckedDestination;
      readonly text: string;
      readonly msgId: Uuid;
      readonly group: Group;
    }
  | {
      readonly id: number;
      readonly kind: 'probe';
      readonly to: CheckedDestination;
      readonly group: Group;
    }
  | {
      readonly id: number;
      /** Send an undelivered message again (same msg_id), to `to` or where it went before. */
      readonly kind: 'retry';
      readonly msgId: string;
      readonly to: CheckedDestination | undefined;
    };

export type MessageJob = Extract<Job, { kind: 'message' }>;

/** A message as the outbox keeps it: never its secret. */
export interface MessageSummary {
  readonly msgId: string;
  readonly text: string;
  readonly to: Address;
  readonly group: Group;
}

export const summaryOf = (job: MessageJob): MessageSummary => ({
  msgId: job.msgId,
  text: job.text,
  to: addressOf(job.to),
  group: job.group,
});

export type Report = DeliveryReport | ProbeReport;

export const SHUTTING_DOWN = 'parley is shutting down; nothing was sent';
export const QUEUE_FULL = 'too many messages are waiting; try again shortly';

/** The report of a message refused before it ran (closing, queue full, no such id). */
export const refusedDelivery = (
  job: { readonly msgId: string; readonly to: Destination | Address },
  message: string,
): DeliveryReport => ({
  outcome: 'not_delivered',
  msgId: job.msgId,
  to: addressOf(job.to),
  failure: { cause: 'refused', message },
  reason: message,
  elapsedMs: 0,
});

export const refusedProbe = (to: Destination | Address, message: string): ProbeReport => ({
  outcome: 'failed',
  to: addressOf(to),
  failure: { cause: 'refused', message },
  reason: message,
  elapsedMs: 0,
});

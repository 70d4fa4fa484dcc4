/**
 * The jobs the pipeline takes (send a message, probe a contact, send an undelivered message
 * again) and the reports of jobs refused before they ran.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { first, type Observable } from 'rxjs';
import type { Group, Uuid } from '../codecs/formats.js';
import {
  type CheckedDestination,
  decodeDestination,
  decodeMsgId,
  decodeText,
  type InputError,
} from '../codecs/inputs.js';
import {
  type Address,
  addressOf,
  type DeliveryReport,
  type Destination,
  type ProbeReport,
  type SendJob,
} from './reports.js';
import type { NodeEvent } from './types.js';

/** A job, numbered by whoever makes it (ids are unique per source). */
export type Job =
  | {
      readonly id: number;
      readonly kind: 'message';
      readonly to: CheckedDestination;
      readonly text: string;
      readonly msgId: Uuid;
      readonly group: Group;
      /**
       * When it was written (clock ms): the time its frames carry, on every attempt. None: when
       * the node takes the job.
       */
      readonly writtenAt?: number;
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
  /** When it was written (clock ms), kept for its retries; absent in files of older versions. */
  readonly writtenAt?: number;
}

export const summaryOf = (job: MessageJob): MessageSummary => ({
  msgId: job.msgId,
  text: job.text,
  to: addressOf(job.to),
  group: job.group,
  ...(job.writtenAt === undefined ? {} : { writtenAt: job.writtenAt }),
});

export type Report = DeliveryReport | ProbeReport;

export const SHUTTING_DOWN = 'parley is shutting down; nothing was sent';
export const QUEUE_FULL = 'too many messages are waiting; try again shortly';

/** The address of a refused retry that names no destination (none is known). */
export const NOWHERE: Address = { username: undefined, host: '', port: 0 };

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

/**
 * What `messageJob` takes: a send's input with its destination spelled out. A contact's name
 * (which `node.send` looks up in its directory) does not type-check here: a job carries the
 * destination itself, and would only be refused when it is decoded.
 */
export type MessageInput = Omit<SendJob, 'to'> & { readonly to: Destination };

/** A send job from a program's input: its destination, id and text decoded (a fresh id if none). */
export const messageJob = (
  id: number,
  input: MessageInput,
  defaults: { readonly group: Group; readonly newMsgId: () => string },
): E.Either<InputError, Job> =>
  pipe(
    E.Do,
    E.apS('to', decodeDestination(input.to)),
    E.apS('msgId', decodeMsgId(input.msgId ?? defaults.newMsgId())),
    E.apS('text', decodeText(input.text)),
    E.map(({ to, msgId, text }) => ({
      id,
      kind: 'message' as const,
      to,
      text,
      msgId,
      // The call's own choice, else the contact's entry, else the node's; never a fallback.
      group: input.group ?? to.group ?? defaults.group,
    })),
  );

/** A probe, with the group asked for, else the contact's entry's, else `fallback`. */
export const probeJob = (
  id: number,
  to: Destination,
  fallback: Group,
  asked?: Group,
): E.Either<InputError, Job> =>
  E.map((checked: CheckedDestination) => ({
    id,
    kind: 'probe' as const,
    to: checked,
    group: asked ?? checked.group ?? fallback,
  }))(decodeDestination(to));

/** Send an undelivered message again, to `to` or to where it went before. */
export const retryJob = (
  id: number,
  msgId: string,
  to: Destination | undefined,
): E.Either<InputError, Job> =>
  to === undefined
    ? E.right({ id, kind: 'retry', msgId, to: undefined })
    : E.map((checked: CheckedDestination) => ({ id, kind: 'retry' as const, msgId, to: checked }))(
        decodeDestination(to),
      );

/** The report of job `jobId`, taken from the node's events. */
export const reportOf = (
  events$: Observable<NodeEvent>,
  jobId: number,
): Observable<Extract<NodeEvent, { kind: 'delivery' | 'probe' }>> =>
  events$.pipe(
    first(
      (e): e is Extract<NodeEvent, { kind: 'delivery' | 'probe' }> =>
        (e.kind === 'delivery' || e.kind === 'probe') && e.jobId === jobId,
    ),
  );

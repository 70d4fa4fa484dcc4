/**
 * The outgoing epic: jobs taken in (a retry resolved to the message it repeats, a job refused
 * when the queue or the outbox is full), each said at once (`queued`), then run, at most
 * `maxOutgoing` at a time, each to exactly one report; the messages to one contact one after
 * another, in the order they were taken.
 */
import { connect, defer, filter, map, merge, mergeMap, of } from 'rxjs';
import { findContact } from '../codecs/directory.js';
import { type Group, mint, Uuid } from '../codecs/formats.js';
import type { CheckedDestination } from '../codecs/inputs.js';
import type { Epic, EpicDeps } from './epic.js';
import {
  type Job,
  type MessageJob,
  NOWHERE,
  QUEUE_FULL,
  refusedDelivery,
  refusedProbe,
  summaryOf,
} from './jobs.js';
import { inLanes, laneOf } from './lanes.js';
import { initiate$, type OutgoingContext, type RunnableJob } from './outgoing.js';
import { retryDelayMs } from './retry.js';
import { type NodeState, outboxOverflow, pendingTotals } from './state.js';
import type { NodeEvent } from './types.js';

/** A job as the pipeline takes it: said at once (`queued`), then run, or refused at once. */
interface Taken {
  readonly queued: NodeEvent;
  readonly run: RunnableJob | undefined;
  readonly refused: NodeEvent | undefined;
}

const refuse = (job: Job, why: string): NodeEvent =>
  job.kind === 'probe'
    ? { kind: 'probe', jobId: job.id, report: refusedProbe(job.to, why) }
    : {
        kind: 'delivery',
        jobId: job.id,
        report: refusedDelivery({ msgId: job.msgId, to: job.to ?? NOWHERE }, why),
      };

/** What this run keeps of the messages it was handed, out of the public state. */
interface RunMemory {
  /** The secret of each undelivered message, for its retries (a destination typed by hand). */
  readonly secrets: Map<string, CheckedDestination>;
  /** The group each message's caller chose in this run (never one read from a file). */
  readonly groups: Map<string, Group>;
}

/**
 * A retry becomes the message it repeats: same id and text, to the destination given, or to
 * the contact of that name as the directory has it now (a changed password or address is
 * used), or to where it went before (a destination typed by hand: its secret kept here,
 * never in the state).
 *
 * Its group: the contact's pin, else the destination's, else what this run's caller chose,
 * else the node's. The group an entry carries may come from a file (the outbox kept from an
 * earlier run, or one handed in) that anyone who can write it could have weakened to a group
 * whose proofs can be cracked offline; it is never used.
 */
const resolveRetry = (
  job: Extract<Job, { kind: 'retry' }>,
  state: NodeState,
  memory: RunMemory,
  fallback: Group,
): MessageJob | string => {
  const entry = state.outbox.find((e) => e.job.msgId === job.msgId);
  if (entry === undefined) return `there is no undelivered message ${job.msgId}`;
  const { msgId, text, writtenAt } = entry.job;
  const contact = entry.job.to.username
    ? findContact(state.directory, entry.job.to.username)
    : undefined;
  const to =
    job.to ??
    (contact && {
      username: contact.username,
      host: contact.ip,
      port: contact.port,
      secret: contact.password,
      group: contact.group,
    }) ??
    memory.secrets.get(msgId);
  if (to === undefined) {
    const was = entry.job.to;
    return was.username === undefined
      ? `the password for ${was.host}:${was.port} is not known (a destination typed by hand keeps it only while parley runs); retry it with a destination`
      : `${was.username} is no longer in the directory; retry it with a destination`;
  }
  const group = contact?.group ?? to.group ?? memory.groups.get(msgId) ?? fallback;
  return {
    id: job.id,
    kind: 'message',
    to,
    text,
    msgId: mint(Uuid, msgId),
    group,
    ...(writtenAt === undefined ? {} : { writtenAt }),
  };
};

/** A new message the outbox could not keep, should it fail: refused now, saying why. */
const outboxFull = (state: NodeState, text: string, deps: EpicDeps): string | undefined => {
  const totals = pendingTotals(state);
  const caps = { maxMessages: deps.maxOutboxMessages, maxBytes: deps.maxOutboxBytes };
  switch (outboxOverflow(totals, text, caps)) {
    case 'messages':
      return `the outbox is full (${totals.count} messages wait); nothing was sent: let some go out first (/outbox)`;
    case 'bytes':
      return `the outbox is full (${Math.ceil(totals.bytes / 1024)} KiB wait); nothing was sent: let some go out first (/outbox)`;
    default:
      return undefined;
  }
};

/** A new message is written when it is taken, unless its caller said when. */
const stamped = (job: Job, nowMs: number): Job =>
  job.kind === 'message' && job.writtenAt === undefined ? { ...job, writtenAt: nowMs } : job;

const take = (given: Job, state: NodeState, deps: EpicDeps, memory: RunMemory): Taken => {
  const job = stamped(given, deps.ports.clock.now());
  const resolved = job.kind === 'retry' ? resolveRetry(job, state, memory, deps.group) : job;
  if (typeof resolved === 'string') {
    // A waiting message that cannot go now stays waiting, this attempt and its reason counted.
    const kept =
      job.kind === 'retry' ? state.outbox.find((e) => e.job.msgId === job.msgId)?.job : undefined;
    return {
      queued: { kind: 'queued', jobId: job.id, ...(kept ? { message: kept } : {}) },
      run: undefined,
      refused: kept
        ? { kind: 'delivery', jobId: job.id, report: refusedDelivery(kept, resolved) }
        : refuse(job, resolved),
    };
  }
  const message = resolved.kind === 'message' ? summaryOf(resolved) : undefined;
  const queued: NodeEvent = { kind: 'queued', jobId: job.id, ...(message ? { message } : {}) };
  if (state.running >= deps.maxQueued) {
    return { queued, run: undefined, refused: refuse(resolved, QUEUE_FULL) };
  }
  const full = job.kind === 'message' ? outboxFull(state, job.text, deps) : undefined;
  if (full !== undefined) {
    // Said as taken without its message: kept, the refused message would grow the full outbox.
    return {
      queued: { kind: 'queued', jobId: job.id },
      run: undefined,
      refused: refuse(resolved, full),
    };
  }
  if (resolved.kind === 'message') memory.secrets.set(resolved.msgId, resolved.to);
  if (job.kind === 'message') memory.groups.set(job.msgId, job.group);
  return { queued, run: resolved, refused: undefined };
};

/**
 * The outgoing epic: every job an initiator, at most `maxOutgoing` at once, each ending in
 * exactly one report. A job is said to be queued the moment it is taken.
 */
export const run$: Epic<Job> = (jobs$, state$, deps) =>
  defer(() => {
    // The secrets and groups of undelivered messages, for retries: out of the public state.
    const memory: RunMemory = { secrets: new Map(), groups: new Map() };
    const ctx: OutgoingContext = {
      self: deps.self,
      deps: deps.actor,
      stepDeadlineMs: deps.stepDeadlineMs,
      clock: deps.ports.clock,
      transport: deps.ports.transport,
      connectTimeoutMs: deps.connectTimeoutMs,
      localAddress: deps.localAddress,
      open: deps.open,
      traceFor: deps.traceFor,
      listenPort: () => state$.value.listening?.port,
    };
    return jobs$.pipe(
      map((job) => take(job, state$.value, deps, memory)),
      connect((taken$) =>
        merge(
          taken$.pipe(mergeMap((t) => (t.refused ? of(t.queued, t.refused) : of(t.queued)))),
          // One contact's messages one after another, in the order taken (see lanes.ts).
          taken$.pipe(
            filter((t): t is Taken & { run: RunnableJob } => t.run !== undefined),
            inLanes(
              (t) => (deps.inOrder && t.run.kind === 'message' ? laneOf(t.run.to) : undefined),
              (t) => initiate$(t.run, ctx),
              deps.maxOutgoing,
            ),
          ),
        ),
      ),
      map((event) => {
        if (event.kind !== 'delivery') return event;
        if (event.report.outcome === 'delivered') {
          memory.secrets.delete(event.report.msgId);
          memory.groups.delete(event.report.msgId);
          return event;
        }
        return { ...event, retryAt: nextTry(state$.value, deps, event.report.msgId) };
      }),
    );
  });

/** When a message that did not go out goes out again by itself (see RetryPolicy). */
const nextTry = (state: NodeState, deps: EpicDeps, msgId: string): number => {
  const attempts = (state.outbox.find((e) => e.job.msgId === msgId)?.attempts ?? 0) + 1;
  return deps.ports.clock.now() + retryDelayMs(attempts, deps.retry, deps.ports.random.fraction());
};

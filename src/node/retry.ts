/**
 * Automatic delivery: messages in the outbox go out again by themselves, on a backoff with
 * jitter, and at once when their contact shows it is online (an authenticated message from
 * it, or a probe that found it). A peer that fails to prove it knows our password stops that
 * message's retries until the contact's details change; a peer's own error frame does not.
 */
import {
  distinctUntilChanged,
  EMPTY,
  filter,
  map,
  merge,
  mergeMap,
  type Observable,
  switchMap,
  timer,
} from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import { RETRY_FIRST_MS, RETRY_MAX_MS } from '../limits.js';
import type { Clock } from '../ports/ports.js';
import type { Job } from './jobs.js';
import { laneOf } from './lanes.js';
import type { DeliveryReport } from './reports.js';
import type { NodeState, OutboxEntry } from './state.js';
import type { NodeEvent } from './types.js';

export interface RetryPolicy {
  readonly firstMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  firstMs: RETRY_FIRST_MS,
  maxMs: RETRY_MAX_MS,
};

/**
 * The wait before attempt `attempts + 1`: doubling from `firstMs`, capped, jittered by
 * `fraction` (in [0, 1), from the random port): up to half of the wait is cut.
 */
export const retryDelayMs = (attempts: number, policy: RetryPolicy, fraction: number): number => {
  const full = Math.min(policy.firstMs * 2 ** Math.max(0, attempts - 1), policy.maxMs);
  return Math.round(full * (1 - fraction / 2));
};

/**
 * Failures that more tries cannot mend: the peer could not prove it knows our password (its
 * proof did not verify here). Only our own check counts: a peer's `auth_failed` error frame
 * is unauthenticated, so anyone on the path could send one to stop a contact's messages; it
 * is retried on schedule like any other failure (one guess per try at the receiver's budget).
 */
export const needsNewDetails = (report: DeliveryReport): boolean =>
  report.outcome !== 'delivered' &&
  report.failure.cause === 'rejected' &&
  report.failure.code === 'auth_failed';

const inFlight = (state: NodeState): Set<string> =>
  new Set([...state.sending.values()].map((m) => m.msgId));

/**
 * Entries a retry may take now: those of every contact with an entry due by `nowMs`, not
 * paused, not being sent, oldest first: a contact's messages go in the order written, so an
 * older one (its jittered time still to come) goes before the one that fell due. The messages
 * in flight are looked up only when some entry could go: these run on every state change.
 */
const dueEntries = (state: NodeState, nowMs: number): OutboxEntry[] => {
  if (state.outbox.length === 0) return [];
  const sending = inFlight(state);
  const waiting = state.outbox.filter((e) => !e.paused && !sending.has(e.job.msgId));
  const isDue = (e: OutboxEntry) => e.nextTryAt !== undefined && e.nextTryAt <= nowMs;
  const due = new Set(waiting.filter(isDue).map((e) => laneOf(e.job.to)));
  if (due.size === 0) return [];
  // One refused over the password keeps its own schedule (see waitingAhead).
  return waiting.filter(
    (e) => due.has(laneOf(e.job.to)) && (isDue(e) || !refusedOverPassword(e.report)),
  );
};

/**
 * Whether the last try was refused over the password, or by a receiver counting such refusals:
 * pulled ahead of every new message, it would spend the receiver's guesses (and lock us out)
 * faster than its schedule does.
 */
const refusedOverPassword = (report: DeliveryReport): boolean =>
  report.outcome !== 'delivered' &&
  (report.failure.cause === 'peer_error' || report.failure.cause === 'rejected') &&
  (report.failure.code === 'auth_failed' || report.failure.code === 'rate_limited');

/**
 * The waiting messages to the contact of a new message, oldest first, to go before it (not
 * paused, not being sent already, not refused over the password): what one contact is sent
 * arrives in the order written.
 */
export const waitingAhead = (state: NodeState, job: Job): OutboxEntry[] => {
  if (job.kind !== 'message' || state.outbox.length === 0) return [];
  const lane = laneOf(job.to);
  const sending = inFlight(state);
  return state.outbox.filter(
    (e) =>
      !e.paused &&
      !sending.has(e.job.msgId) &&
      !refusedOverPassword(e.report) &&
      laneOf(e.job.to) === lane,
  );
};

/**
 * Entries for a contact that just proved it is there and shares our password (it
 * authenticated to us): all of them, at once, the paused ones too.
 */
const entriesFor = (state: NodeState, username: string): OutboxEntry[] => {
  if (state.outbox.length === 0) return [];
  const sending = inFlight(state);
  return state.outbox.filter((e) => e.job.to.username === username && !sending.has(e.job.msgId));
};

/** When the earliest entry that waits for its time falls due, if any does. */
const nextDue = (state: NodeState): number | undefined => {
  let earliest: number | undefined;
  let sending: Set<string> | undefined;
  for (const e of state.outbox) {
    if (e.paused || e.nextTryAt === undefined) continue;
    sending ??= inFlight(state);
    if (sending.has(e.job.msgId)) continue;
    if (earliest === undefined || e.nextTryAt < earliest) earliest = e.nextTryAt;
  }
  return earliest;
};

/** Who showed, by this event, that they are online and know our password. */
const cameOnline = (event: NodeEvent): string | undefined => {
  if (event.kind === 'incoming' && event.event.kind === 'received') return event.event.message.from;
  if (event.kind === 'incoming' && event.event.kind === 'presence') return event.event.from;
  if (event.kind === 'probe' && event.report.outcome === 'online') return event.report.to.username;
  return undefined;
};

export interface RetryDeps {
  readonly clock: Clock;
  /** Job ids for the pipeline's own retries: negative, so they never meet a caller's. */
  readonly nextId: () => number;
}

export const retryOf = (entry: OutboxEntry, id: number): Job => ({
  id,
  kind: 'retry',
  msgId: entry.job.msgId,
  to: undefined,
});

/**
 * The retries the outbox asks for: when the earliest entry falls due (rescheduled whenever the
 * outbox changes), and at once for a contact that came online.
 */
export const autoRetry$ = (
  state$: Observable<NodeState> & { readonly value: NodeState },
  event$: Observable<NodeEvent>,
  deps: RetryDeps,
): Observable<Job> => {
  const due$ = state$.pipe(
    map(nextDue),
    distinctUntilChanged(),
    switchMap((at) =>
      at === undefined
        ? EMPTY
        : timer(Math.max(0, at - deps.clock.now()), deps.clock).pipe(
            // A timer may fire a millisecond before the clock says `at` (Node's timers and
            // Date.now are different clocks): what fell due at `at` goes, or nothing would
            // re-arm it (the earliest due time has not changed) and it would wait for ever.
            mergeMap(() => dueEntries(state$.value, Math.max(at, deps.clock.now()))),
          ),
    ),
  );
  const online$ = event$.pipe(
    map(cameOnline),
    filter((name): name is string => name !== undefined),
    mergeMap((name) => entriesFor(state$.value, name)),
  );
  return merge(due$, online$).pipe(map((entry) => retryOf(entry, deps.nextId())));
};

/** Whether a contact's details changed between two directories (so its retries resume). */
export const detailsChanged = (before: Directory, after: Directory, username: string): boolean => {
  const was = before.find((c) => c.username === username);
  const now = after.find((c) => c.username === username);
  return (
    was !== undefined &&
    now !== undefined &&
    (was.password !== now.password || was.ip !== now.ip || was.port !== now.port)
  );
};

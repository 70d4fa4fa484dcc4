/**
 * One send or probe job: connect, run an initiator actor over the connection, and turn its
 * outcome into a report. A job always ends in exactly one report.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  connect,
  defer,
  EMPTY,
  finalize,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  type SchedulerLike,
  tap,
} from 'rxjs';
import { runActor } from '../actors/driver.js';
import { type InitiatorEvent, type InitiatorParams, initiatorLogic } from '../actors/initiator.js';
import type { ActorDeps } from '../actors/types.js';
import { findContact } from '../codecs/directory.js';
import { mint, type Username, Uuid } from '../codecs/formats.js';
import type { CheckedDestination } from '../codecs/inputs.js';
import { MAX_PLAINTEXT_BYTES } from '../limits.js';
import { carryOut, inbound$, type TraceSink } from '../streams/session.js';
import { type Connection, connect$ } from '../streams/tcp.js';
import {
  type Job,
  type MessageJob,
  QUEUE_FULL,
  refusedDelivery,
  refusedProbe,
  summaryOf,
} from './jobs.js';
import type { PipelineDeps } from './options.js';
import {
  addressOf,
  type DeliveryReport,
  explainFailure,
  type ProbeReport,
  type SendFailure,
} from './reports.js';
import type { NodeState } from './state.js';
import type { NodeEvent, Role } from './types.js';

/** A job the initiator runs: a message or a probe (a retry is resolved to a message first). */
export type RunnableJob = Exclude<Job, { kind: 'retry' }>;

export interface OutgoingContext {
  readonly self: Username;
  readonly deps: ActorDeps;
  readonly stepDeadlineMs: number;
  readonly scheduler: SchedulerLike;
  readonly connectTimeoutMs: number | undefined;
  readonly localAddress: string | undefined;
  /** Every open connection, for close(). */
  readonly open: Set<Connection>;
  readonly traceFor: (role: Role, remote: string, jobId?: number) => TraceSink | undefined;
}

/** What one attempt came to: the actor's outcome, or why there was no connection. */
type Outcome = InitiatorEvent | { readonly kind: 'not_started'; readonly failure: SendFailure };

const params = (job: RunnableJob, self: Username): InitiatorParams => ({
  self,
  expectedPeer: job.to.username,
  secret: job.to.secret,
  group: job.group,
  intent:
    job.kind === 'message'
      ? { kind: 'message', msgId: job.msgId, text: job.text }
      : { kind: 'probe' },
});

const exchange$ = (
  job: RunnableJob,
  connection: Connection,
  ctx: OutgoingContext,
): Observable<Outcome> => {
  const trace = ctx.traceFor('initiator', `${job.to.host}:${job.to.port}`, job.id);
  ctx.open.add(connection);
  return runActor(initiatorLogic(params(job, ctx.self), ctx.deps), inbound$(connection, trace), {
    stepDeadlineMs: ctx.stepDeadlineMs,
    scheduler: ctx.scheduler,
  }).pipe(
    carryOut<InitiatorEvent>(connection, trace),
    finalize(() => ctx.open.delete(connection)),
  );
};

/** Checked before connecting: nothing goes on the wire that the peer would have to refuse. */
const preflight = (job: RunnableJob): SendFailure | undefined => {
  if (job.kind !== 'message') return undefined;
  const bytes = Buffer.byteLength(job.text, 'utf8');
  return bytes > MAX_PLAINTEXT_BYTES
    ? {
        cause: 'refused',
        message: `the message is too long (${bytes} bytes; at most ${MAX_PLAINTEXT_BYTES})`,
      }
    : undefined;
};

const attempt$ = (job: RunnableJob, ctx: OutgoingContext): Observable<Outcome> => {
  const refused = preflight(job);
  if (refused) return of({ kind: 'not_started', failure: refused });
  return connect$({
    host: job.to.host,
    port: job.to.port,
    timeoutMs: ctx.connectTimeoutMs,
    localAddress: ctx.localAddress,
  }).pipe(
    mergeMap(
      E.fold(
        (failure): Observable<Outcome> =>
          of({ kind: 'not_started', failure: { cause: 'unreachable', ...failure } }),
        (connection) => exchange$(job, connection, ctx),
      ),
    ),
  );
};

const isWrongPassword = (failure: SendFailure): boolean =>
  (failure.cause === 'peer_error' || failure.cause === 'rejected') &&
  failure.code === 'auth_failed';

const deliveryReport = (job: MessageJob, outcome: Outcome, elapsedMs: number): DeliveryReport => {
  const to = addressOf(job.to);
  if (outcome.kind === 'delivered') {
    return { outcome: 'delivered', msgId: job.msgId, to, peer: outcome.peer, elapsedMs };
  }
  if (outcome.kind === 'probe_ok') throw new Error('a message job cannot end in a probe');
  const unknown = outcome.kind === 'failed' && outcome.delivery === 'unknown';
  return {
    outcome: unknown ? 'unknown' : 'not_delivered',
    msgId: job.msgId,
    to,
    failure: outcome.failure,
    reason:
      explainFailure(outcome.failure, to) + (unknown ? ' (it may have received the message)' : ''),
    elapsedMs,
  };
};

const probeReport = (job: RunnableJob, outcome: Outcome, elapsedMs: number): ProbeReport => {
  const to = addressOf(job.to);
  if (outcome.kind === 'probe_ok') return { outcome: 'online', to, peer: outcome.peer, elapsedMs };
  if (outcome.kind === 'delivered') throw new Error('a probe cannot deliver');
  const { failure } = outcome;
  const verdict =
    failure.cause === 'unreachable'
      ? 'offline'
      : isWrongPassword(failure)
        ? 'wrong_password'
        : 'failed';
  return { outcome: verdict, to, failure, reason: explainFailure(failure, to), elapsedMs };
};

const internal = (err: unknown): string =>
  `internal error in parley: ${err instanceof Error ? err.message : String(err)}`;

/** Runs a job to its one report. */
export const initiate$ = (job: RunnableJob, ctx: OutgoingContext): Observable<NodeEvent> =>
  defer(() => {
    const started = ctx.scheduler.now();
    return attempt$(job, ctx).pipe(
      // A bug of ours must still end the job in a report, and never end the node's pipeline.
      catchError((err: unknown) =>
        of<Outcome>({ kind: 'not_started', failure: { cause: 'refused', message: internal(err) } }),
      ),
      map((outcome): NodeEvent => {
        const elapsed = ctx.scheduler.now() - started;
        return job.kind === 'message'
          ? { kind: 'delivery', jobId: job.id, report: deliveryReport(job, outcome, elapsed) }
          : { kind: 'probe', jobId: job.id, report: probeReport(job, outcome, elapsed) };
      }),
    );
  });

/** What running jobs needs beyond the resolved options: the pipeline's shared pieces. */
export interface RunDeps extends PipelineDeps {
  readonly open: Set<Connection>;
  readonly state$: { readonly value: NodeState };
  readonly traceFor: (role: Role, remote: string, jobId?: number) => TraceSink | undefined;
}

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

const NOWHERE = { username: undefined, host: '', port: 0 };

/**
 * A retry becomes the message it repeats: same id and text, to the destination given, or to
 * where it went before (its secret kept privately, never in the state), or to the contact of
 * that name in the directory.
 */
const resolveRetry = (
  job: Extract<Job, { kind: 'retry' }>,
  state: NodeState,
  secrets: ReadonlyMap<string, CheckedDestination>,
): MessageJob | string => {
  const entry = state.outbox.find((e) => e.job.msgId === job.msgId);
  if (entry === undefined) return `there is no undelivered message ${job.msgId}`;
  const { msgId, text, group } = entry.job;
  const contact = entry.job.to.username
    ? findContact(state.directory, entry.job.to.username)
    : undefined;
  const to =
    job.to ??
    secrets.get(msgId) ??
    (contact && {
      username: contact.username,
      host: contact.ip,
      port: contact.port,
      secret: contact.password,
    });
  if (to === undefined) {
    return `the password for ${msgId} is no longer known; retry it with a destination`;
  }
  return { id: job.id, kind: 'message', to, text, msgId: mint(Uuid, msgId), group };
};

const take = (job: Job, deps: RunDeps, secrets: Map<string, CheckedDestination>): Taken => {
  const state = deps.state$.value;
  const resolved = job.kind === 'retry' ? resolveRetry(job, state, secrets) : job;
  if (typeof resolved === 'string') {
    return {
      queued: { kind: 'queued', jobId: job.id },
      run: undefined,
      refused: refuse(job, resolved),
    };
  }
  const message = resolved.kind === 'message' ? summaryOf(resolved) : undefined;
  const queued: NodeEvent = { kind: 'queued', jobId: job.id, ...(message ? { message } : {}) };
  if (state.running >= deps.maxQueued) {
    return { queued, run: undefined, refused: refuse(resolved, QUEUE_FULL) };
  }
  if (resolved.kind === 'message') secrets.set(resolved.msgId, resolved.to);
  return { queued, run: resolved, refused: undefined };
};

/**
 * The outgoing epic: every job an initiator, at most `maxOutgoing` at once, each ending in
 * exactly one report. A job is said to be queued the moment it is taken.
 */
export const run$ = (jobs$: Observable<Job>, deps: RunDeps): Observable<NodeEvent> =>
  defer(() => {
    // The secrets of undelivered messages, for retries: kept here, out of the public state.
    const secrets = new Map<string, CheckedDestination>();
    const ctx: OutgoingContext = {
      self: deps.self,
      deps: deps.actor,
      stepDeadlineMs: deps.stepDeadlineMs,
      scheduler: deps.scheduler,
      connectTimeoutMs: deps.connectTimeoutMs,
      localAddress: deps.localAddress,
      open: deps.open,
      traceFor: deps.traceFor,
    };
    return jobs$.pipe(
      map((job) => take(job, deps, secrets)),
      connect((taken$) =>
        merge(
          taken$.pipe(mergeMap((t) => (t.refused ? of(t.queued, t.refused) : of(t.queued)))),
          taken$.pipe(mergeMap((t) => (t.run ? initiate$(t.run, ctx) : EMPTY), deps.maxOutgoing)),
        ),
      ),
      tap((event) => {
        if (event.kind === 'delivery' && event.report.outcome === 'delivered') {
          secrets.delete(event.report.msgId);
        }
      }),
    );
  });

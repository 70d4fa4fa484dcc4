/**
 * One send or probe job: connect, run an initiator actor over the connection, and turn its
 * outcome into a report. A job always ends in exactly one report.
 */
import * as E from 'fp-ts/lib/Either.js';
import { catchError, defer, map, mergeMap, type Observable, of } from 'rxjs';
import { runActor } from '../actors/driver.js';
import { type InitiatorEvent, type InitiatorParams, initiatorLogic } from '../actors/initiator.js';
import type { ActorDeps } from '../actors/types.js';
import type { Username } from '../codecs/formats.js';
import { whyNotMessageText } from '../codecs/inputs.js';
import { whyOf } from '../errors.js';
import type { Clock, Connection, Transport } from '../ports/ports.js';
import { carryOut, inbound$, type TraceSink } from '../streams/session.js';
import type { Job, MessageJob } from './jobs.js';
import {
  addressOf,
  type DeliveryReport,
  explainFailure,
  type ProbeReport,
  type SendFailure,
} from './reports.js';
import type { NodeEvent, Role } from './types.js';

/** A job the initiator runs: a message or a probe (a retry is resolved to a message first). */
export type RunnableJob = Exclude<Job, { kind: 'retry' }>;

export interface OutgoingContext {
  readonly self: Username;
  readonly deps: ActorDeps;
  readonly stepDeadlineMs: number;
  readonly clock: Clock;
  readonly transport: Transport;
  readonly connectTimeoutMs: number | undefined;
  readonly localAddress: string | undefined;
  /** Every open connection, for close(). */
  readonly open: Set<Connection>;
  readonly traceFor: (role: Role, remote: string, jobId?: number) => TraceSink | undefined;
  /** The port our node listens on now, if it does: told in our auth (a contact follows a move). */
  readonly listenPort: () => number | undefined;
}

/** What one attempt came to: the actor's outcome, or why there was no connection. */
type Outcome = InitiatorEvent | { readonly kind: 'not_started'; readonly failure: SendFailure };

const params = (job: RunnableJob, self: Username, listen: number | undefined): InitiatorParams => ({
  self,
  listen,
  // The fast order is offered to every responder: one that does not know it answers in
  // lock-step, byte for byte as before.
  fast: true,
  expectedPeer: job.to.username,
  secret: job.to.secret,
  group: job.group,
  intent:
    job.kind === 'message'
      ? { kind: 'message', msgId: job.msgId, text: job.text, writtenAt: job.writtenAt }
      : { kind: 'probe' },
});

const exchange$ = (
  job: RunnableJob,
  connection: Connection,
  ctx: OutgoingContext,
): Observable<Outcome> => {
  const trace = ctx.traceFor('initiator', `${job.to.host}:${job.to.port}`, job.id);
  ctx.open.add(connection);
  return runActor(
    initiatorLogic(params(job, ctx.self, ctx.listenPort()), ctx.deps),
    inbound$(connection, trace),
    {
      stepDeadlineMs: ctx.stepDeadlineMs,
      scheduler: ctx.clock,
    },
  ).pipe(
    carryOut(
      connection,
      trace,
      (event: InitiatorEvent): Outcome => event,
      () => ctx.open.delete(connection),
    ),
  );
};

/**
 * Checked before connecting: nothing goes on the wire that the peer would have to refuse (a
 * new job's text was checked when it was made; this also covers one kept from an older run).
 */
const preflight = (job: RunnableJob): SendFailure | undefined => {
  if (job.kind !== 'message') return undefined;
  const tooLong = whyNotMessageText(job.text);
  return tooLong === undefined ? undefined : { cause: 'refused', message: tooLong };
};

const attempt$ = (job: RunnableJob, ctx: OutgoingContext): Observable<Outcome> => {
  const refused = preflight(job);
  if (refused) return of({ kind: 'not_started', failure: refused });
  return ctx.transport
    .connect$({
      host: job.to.host,
      port: job.to.port,
      timeoutMs: ctx.connectTimeoutMs,
      localAddress: ctx.localAddress,
    })
    .pipe(
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
      explainFailure(outcome.failure, to, job.group) +
      (unknown ? ' (it may have received the message)' : ''),
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
  return {
    outcome: verdict,
    to,
    failure,
    reason: explainFailure(failure, to, job.group),
    elapsedMs,
  };
};

const internal = (err: unknown): string => `internal error in parley: ${whyOf(err)}`;

/** Runs a job to its one report. */
export const initiate$ = (job: RunnableJob, ctx: OutgoingContext): Observable<NodeEvent> =>
  defer(() => {
    const started = ctx.clock.now();
    return attempt$(job, ctx).pipe(
      // A bug of ours must still end the job in a report, and never end the node's pipeline.
      catchError((err: unknown) =>
        of<Outcome>({ kind: 'not_started', failure: { cause: 'refused', message: internal(err) } }),
      ),
      map((outcome): NodeEvent => {
        const elapsed = ctx.clock.now() - started;
        return job.kind === 'message'
          ? { kind: 'delivery', jobId: job.id, report: deliveryReport(job, outcome, elapsed) }
          : { kind: 'probe', jobId: job.id, report: probeReport(job, outcome, elapsed) };
      }),
    );
  });

/**
 * One incoming connection: refused at once when its address is rate-limited or has its share
 * of the cap, admitted when there is room (or when it may take the place of a connection from
 * an address that holds more, see `pickEviction`), then answered by a responder actor.
 * Whatever the peer does, it ends here.
 */
import {
  catchError,
  concat,
  concatWith,
  defer,
  EMPTY,
  finalize,
  ignoreElements,
  map,
  type Observable,
  of,
  type SchedulerLike,
} from 'rxjs';
import { close, sendFrame } from '../actors/common.js';
import { runActor } from '../actors/driver.js';
import {
  type ResponderDeps,
  type ResponderEvent,
  type ResponderState,
  startResponder,
  stepResponder,
} from '../actors/responder.js';
import type { Effect, Inbound } from '../actors/types.js';
import { protocolError } from '../codecs/errors.js';
import type { Group } from '../codecs/formats.js';
import { errorFrame } from '../codecs/frames.js';
import { encodeFrame } from '../codecs/line.js';
import { carryOut, inbound$, type TraceSink } from '../streams/session.js';
import type { Connection } from '../streams/tcp.js';
import { type AuthLimiter, type InProgress, pickEviction, sourceOf } from './defences.js';
import type { NodeEvent, Role } from './types.js';

export interface IncomingContext {
  readonly self: string;
  readonly groups: readonly Group[];
  readonly deps: ResponderDeps;
  readonly limiter: AuthLimiter;
  readonly maxConnections: number;
  readonly maxPerAddress: number;
  /** Incoming connections in progress per source (address, or IPv6 /64: see `sourceOf`). */
  readonly perAddress: Map<string, number>;
  /** Incoming connections in progress (the cap counts these), oldest first. */
  readonly active: Map<Connection, Admission>;
  /** Every open connection, for close(). */
  readonly open: Set<Connection>;
  readonly traceFor: (role: Role, remote: string) => TraceSink | undefined;
  readonly stepDeadlineMs: number;
  readonly scheduler: SchedulerLike;
}

const RATE_LIMITED = 'too many failed attempts; try again later';
const BUSY = 'too many connections in progress; try again shortly';
// What the peer is told: not why (a file name of ours is none of its business).
const INTERNAL = 'the receiver failed and did not take the message; try again later';

const internalError = (err: unknown): NodeEvent => ({
  kind: 'error',
  code: 'internal',
  message: err instanceof Error ? err.message : String(err),
});

/** A connection counted against the cap, until released (once: at its end, or evicted). */
export interface Admission extends InProgress {
  readonly connection: Connection;
  released: boolean;
}

const admit = (connection: Connection, source: string, ctx: IncomingContext): Admission => {
  const admission = { connection, source, authenticated: false, released: false };
  ctx.perAddress.set(source, (ctx.perAddress.get(source) ?? 0) + 1);
  ctx.active.set(connection, admission);
  ctx.open.add(connection);
  return admission;
};

const release = (admission: Admission, ctx: IncomingContext) => {
  if (admission.released) return;
  admission.released = true;
  const { source, connection } = admission;
  const left = (ctx.perAddress.get(source) ?? 1) - 1;
  if (left === 0) ctx.perAddress.delete(source);
  else ctx.perAddress.set(source, left);
  ctx.active.delete(connection);
  ctx.open.delete(connection);
};

/** Answer with an error frame and close, without running the protocol. */
const refuse = (
  connection: Connection,
  code: 'busy' | 'rate_limited',
  message: string,
): Observable<NodeEvent> =>
  concat(
    connection.send(encodeFrame(errorFrame(code, message))).pipe(
      // A peer that is already gone changes nothing: we were closing anyway. (Left to run,
      // the write's error would end the node's whole pipeline.)
      ignoreElements(),
      catchError(() => EMPTY),
      finalize(() => connection.close()),
    ),
    of<NodeEvent>({ kind: 'refused', code, remote: connection.remoteAddress }),
  );

/**
 * Make room for a newcomer from `remote` if an address holding more has a connection not yet
 * authenticated: it is answered busy and destroyed (its actor then hears the end), and stops
 * counting at once. The event says whom it was.
 */
const evictFor = (source: string, ctx: IncomingContext): NodeEvent | undefined => {
  const victim = pickEviction(ctx.active.values(), ctx.perAddress, source);
  if (victim === undefined) return undefined;
  release(victim, ctx);
  const { connection } = victim;
  connection.send(encodeFrame(errorFrame('busy', BUSY))).subscribe({
    complete: () => connection.destroy(),
    error: () => connection.destroy(),
  });
  return { kind: 'refused', code: 'busy', remote: connection.remoteAddress };
};

const isAuthFailure = (event: ResponderEvent): boolean =>
  event.kind === 'rejected' &&
  event.failure.cause === 'rejected' &&
  event.failure.code === 'auth_failed';

/**
 * A proof from an address limited since the connection was admitted is not checked: it is
 * answered rate_limited. Otherwise connections opened together would each get a guess.
 */
const limitedAtAuth =
  (source: string, ctx: IncomingContext) =>
  (input: Inbound): Inbound =>
    input.kind === 'frame' &&
    input.frame.type === 'auth' &&
    ctx.limiter.isLimited(source, ctx.scheduler.now())
      ? { kind: 'invalid', error: protocolError('rate_limited', RATE_LIMITED) }
      : input;

/** What the cap and the limiter learn from the actor, the moment it decides. */
const watch = (admission: Admission, ctx: IncomingContext) => (effect: Effect<ResponderEvent>) => {
  // Our proof goes out only after the peer's verified: it is authenticated.
  if (effect.kind === 'send' && effect.frame.type === 'auth') admission.authenticated = true;
  if (effect.kind === 'emit' && isAuthFailure(effect.event)) {
    ctx.limiter.recordFailure(admission.source, ctx.scheduler.now());
  }
};

export const respond$ = (connection: Connection, ctx: IncomingContext): Observable<NodeEvent> =>
  defer(() => {
    const remote = connection.remoteAddress;
    const source = sourceOf(remote);
    if (ctx.limiter.isLimited(source, ctx.scheduler.now())) {
      return refuse(connection, 'rate_limited', RATE_LIMITED);
    }
    if ((ctx.perAddress.get(source) ?? 0) >= ctx.maxPerAddress) {
      return refuse(connection, 'busy', BUSY);
    }
    const evicted = ctx.active.size >= ctx.maxConnections ? evictFor(source, ctx) : undefined;
    if (ctx.active.size >= ctx.maxConnections) return refuse(connection, 'busy', BUSY);
    const admission = admit(connection, source, ctx);
    const trace = ctx.traceFor('responder', remote);
    const checkLimit = limitedAtAuth(source, ctx);
    const learn = watch(admission, ctx);
    // The defences sit around the pure step rather than as operators of their own: a node
    // holding many connections pays for each operator on each of them.
    const step = (state: ResponderState, input: Inbound) => {
      const transition = stepResponder(state, checkLimit(input), ctx.deps);
      for (const effect of transition[1]) learn(effect);
      return transition;
    };
    let failed: unknown;
    const run$ = runActor(
      startResponder({ self: ctx.self, groups: ctx.groups }),
      step,
      inbound$(connection, trace),
      { stepDeadlineMs: ctx.stepDeadlineMs, scheduler: ctx.scheduler },
    ).pipe(
      // A step that threw (a bug of ours, or a seen file that cannot be written) carried out
      // none of its effects: no ack went out. Say `internal`, so the sender keeps the message
      // for a retry instead of waiting out its deadline; the event says what failed.
      catchError((err: unknown) => {
        failed = err;
        return of(
          sendFrame<ResponderEvent>(errorFrame('internal', INTERNAL)),
          close<ResponderEvent>(),
        );
      }),
      carryOut<ResponderEvent>(connection, trace),
      map((event): NodeEvent => ({ kind: 'incoming', event, remote })),
      concatWith(defer(() => (failed === undefined ? EMPTY : of(internalError(failed))))),
      finalize(() => release(admission, ctx)),
    );
    const contained$ = run$.pipe(
      // One connection's failure, even a bug of ours, ends that connection and nothing else.
      catchError((err: unknown) => {
        connection.destroy();
        return of(internalError(err));
      }),
    );
    return evicted === undefined ? contained$ : concat(of(evicted), contained$);
  });

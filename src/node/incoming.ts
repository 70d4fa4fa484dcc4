/**
 * One incoming connection: refused at once when its address is rate-limited or has its share
 * of the cap, admitted when there is room (or when it may take the place of a connection from
 * an address that holds more, see `pickEviction`), then answered by a responder actor.
 * Whatever the peer does, it ends here.
 */
import {
  catchError,
  concat,
  defer,
  EMPTY,
  finalize,
  ignoreElements,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  type SchedulerLike,
} from 'rxjs';
import { runActor } from '../actors/driver.js';
import {
  type ResponderConfig,
  type ResponderDeps,
  type ResponderEvent,
  responderLogic,
} from '../actors/responder.js';
import type { Effect, Inbound } from '../actors/types.js';
import { findContact } from '../codecs/directory.js';
import { protocolError } from '../codecs/errors.js';
import { errorFrame } from '../codecs/frames.js';
import { encodeFrame } from '../codecs/line.js';
import { carryOut, inbound$, type TraceSink } from '../streams/session.js';
import type { Connection, ServerEvent } from '../streams/tcp.js';
import { answerFrom, type DedupeMemory } from './dedupe.js';
import {
  type AuthLimiter,
  createAuthLimiter,
  type InProgress,
  pickEviction,
  sourceOf,
} from './defences.js';
import type { PipelineDeps } from './options.js';
import type { NodeState } from './state.js';
import type { NodeEvent, Role } from './types.js';

export interface IncomingContext {
  readonly config: ResponderConfig;
  readonly deps: ResponderDeps;
  readonly dedupe: DedupeMemory;
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
 * Make room for a newcomer from `source` if an address holding more has a connection not yet
 * authenticated: it is answered busy and destroyed (its actor then hears the end), and stops
 * counting at once. The event says whom it was.
 */
const evictFor = (source: string, ctx: IncomingContext): Observable<NodeEvent> | undefined => {
  const victim = pickEviction(ctx.active.values(), ctx.perAddress, source);
  if (victim === undefined) return undefined;
  release(victim, ctx);
  const { connection } = victim;
  const answered$ = connection.send(encodeFrame(errorFrame('busy', BUSY))).pipe(
    ignoreElements(),
    catchError(() => EMPTY),
    finalize(() => connection.destroy()),
  );
  return merge(
    of<NodeEvent>({ kind: 'refused', code: 'busy', remote: connection.remoteAddress }),
    answered$,
  );
};

const isAuthFailure = (event: ResponderEvent): boolean =>
  event.kind === 'rejected' &&
  event.failure.cause === 'rejected' &&
  event.failure.code === 'auth_failed';

/**
 * The limiter's verdict, fed to the actor as an input: a proof from an address limited since
 * the connection was admitted is not checked but answered rate_limited. Otherwise connections
 * opened together would each get a guess.
 */
const limitedAtAuth =
  (source: string, ctx: IncomingContext) =>
  (input: Inbound): Inbound =>
    input.kind === 'frame' &&
    input.frame.type === 'auth' &&
    ctx.limiter.isLimited(source, ctx.scheduler.now())
      ? { kind: 'invalid', error: protocolError('rate_limited', RATE_LIMITED) }
      : input;

/**
 * The interpreter's side of an effect: the cap and the limiter learn from the actor the
 * moment it decides, and a `remember` is answered from the dedupe memory.
 */
const interpreter = (
  admission: Admission,
  ctx: IncomingContext,
  onInternal: (err: unknown) => void,
) => {
  const remember = answerFrom(ctx.dedupe, onInternal);
  return (effect: Effect<ResponderEvent>): Inbound | undefined => {
    // Our proof goes out only after the peer's verified: it is authenticated.
    if (effect.kind === 'send' && effect.frame.type === 'auth') admission.authenticated = true;
    if (effect.kind === 'emit' && isAuthFailure(effect.event)) {
      ctx.limiter.recordFailure(admission.source, ctx.scheduler.now());
    }
    return remember(effect);
  };
};

const internalEvent = (err: unknown): NodeEvent => ({
  kind: 'error',
  code: 'internal',
  message: err instanceof Error ? err.message : String(err),
});

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
    // An error of ours that the actor must not see (a seen file that cannot be written) is
    // reported once the connection has ended.
    const internal: NodeEvent[] = [];
    const run$ = runActor(responderLogic(ctx.config, ctx.deps), inbound$(connection, trace), {
      stepDeadlineMs: ctx.stepDeadlineMs,
      scheduler: ctx.scheduler,
      screen: limitedAtAuth(source, ctx),
      answer: interpreter(admission, ctx, (err) => internal.push(internalEvent(err))),
    }).pipe(
      carryOut<ResponderEvent>(connection, trace),
      map((event): NodeEvent => ({ kind: 'incoming', event, remote })),
      finalize(() => release(admission, ctx)),
    );
    const contained$ = concat(
      run$,
      defer(() => internal),
    ).pipe(
      // One connection's failure, even a bug of ours, ends that connection and nothing else.
      catchError((err: unknown) => {
        connection.destroy();
        return of(internalEvent(err));
      }),
    );
    return evicted === undefined ? contained$ : merge(evicted, contained$);
  });

/** What answering needs beyond the resolved options: the pipeline's shared pieces. */
export interface AnswerDeps extends PipelineDeps {
  readonly open: Set<Connection>;
  readonly state$: { readonly value: NodeState };
  readonly traceFor: (role: Role, remote: string) => TraceSink | undefined;
}

/**
 * The incoming epic: every connection a responder, behind the cap and the limiter. The
 * defences' books are made per subscription, so each pipeline has its own.
 */
export const answer$ = (
  connections$: Observable<ServerEvent>,
  deps: AnswerDeps,
): Observable<NodeEvent> =>
  defer(() => {
    const ctx: IncomingContext = {
      config: { self: deps.self, groups: deps.groups },
      deps: {
        ...deps.actor,
        lookupSecret: (username) => findContact(deps.state$.value.directory, username)?.password,
      },
      dedupe: deps.dedupe,
      limiter: createAuthLimiter(deps.authLimit),
      maxConnections: deps.maxConnections,
      maxPerAddress: deps.maxPerAddress,
      perAddress: new Map(),
      active: new Map(),
      open: deps.open,
      traceFor: deps.traceFor,
      stepDeadlineMs: deps.stepDeadlineMs,
      scheduler: deps.scheduler,
    };
    return connections$.pipe(
      mergeMap((event) =>
        event.kind === 'connection' ? respond$(event.connection, ctx) : of<NodeEvent>(event),
      ),
    );
  });

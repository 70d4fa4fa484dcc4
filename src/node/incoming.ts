/**
 * One incoming connection: refused at once when its address is rate-limited or has its share
 * of the cap, admitted when there is room (or when it may take the place of a connection from
 * an address that holds more, see `pickEviction`), then answered by a responder actor.
 * Whatever the peer does, it ends here.
 */
import { catchError, defer, merge, mergeMap, type Observable, of } from 'rxjs';
import { type Answer, runActor } from '../actors/driver.js';
import {
  type ResponderConfig,
  type ResponderDeps,
  type ResponderEvent,
  responderLogic,
} from '../actors/responder.js';
import type { Effect, Inbound, ReceivedMessage } from '../actors/types.js';
import { findContact } from '../codecs/directory.js';
import { protocolError } from '../codecs/errors.js';
import { GUARD_DEFAULTS } from '../limits.js';
import type { Clock, Connection, ServerEvent } from '../ports/ports.js';
import { carryOut, inbound$, type TraceSink } from '../streams/session.js';
import {
  type Admission,
  admit,
  BUSY,
  type CapBooks,
  evictFor,
  refuse,
  release,
} from './admission.js';
import { answerFrom } from './dedupe.js';
import { sourceOf } from './defences.js';
import { createGuard, type Guard } from './guard.js';
import type { PipelineDeps } from './options.js';
import type { NodeState } from './state.js';
import type { NodeEvent, Role } from './types.js';

export interface IncomingContext extends CapBooks {
  readonly config: ResponderConfig;
  readonly deps: ResponderDeps;
  /** Answers `deliver`: the sink, then the dedupe memory; a failure of either is told, not acked. */
  readonly deliver: (effect: Effect<ResponderEvent>) => Answer;
  /** The guessing budgets; it knows whom each source is trusted for (see guard.ts). */
  readonly guard: Guard;
  readonly helloDeadlineMs: number;
  readonly traceFor: (role: Role, remote: string) => TraceSink | undefined;
  readonly stepDeadlineMs: number;
  readonly clock: Clock;
}

const RATE_LIMITED = 'too many failed attempts; try again later';

/**
 * Whether an ending costs the source a guess: a proof that failed, or a handshake that did its
 * DH (we answered with ours) and ended without a proof — a timeout, a drop, anything but our
 * own refusal to check it.
 */
const costsAGuess = (event: ResponderEvent): boolean => {
  if (event.kind !== 'rejected') return false;
  const { failure } = event;
  if (failure.cause === 'rejected' && failure.code === 'auth_failed') return true;
  const refusedByUs = failure.cause === 'rejected' && failure.code === 'rate_limited';
  return event.step === 'awaitingAuth' && !refusedByUs;
};

/**
 * The guard's verdict, fed to the actor as an input: a proof from a source (or for a claimed
 * username) limited since the connection was admitted is not checked but answered
 * rate_limited. Otherwise connections opened together would each get a guess.
 */
const limitedAtAuth =
  (admission: Admission, ctx: IncomingContext) =>
  (input: Inbound): Inbound =>
    input.kind === 'frame' &&
    input.frame.type === 'auth' &&
    ctx.guard.refusesProof(admission.source, admission.claimed, ctx.clock.now())
      ? { kind: 'invalid', error: protocolError('rate_limited', RATE_LIMITED) }
      : input;

/**
 * The interpreter's side of an effect: the cap and the guard learn from the actor the moment
 * it decides, and a `deliver` is answered by the sink and the dedupe memory.
 */
const interpreter = (admission: Admission, ctx: IncomingContext) => {
  return (effect: Effect<ResponderEvent>): Answer => {
    if (effect.kind === 'send') {
      admission.progress += 1;
      // Our hello answers the peer by the name it claimed.
      if (effect.frame.type === 'hello') admission.claimed = effect.frame.to ?? undefined;
      // Our proof goes out only after the peer's verified: it is authenticated.
      if (effect.frame.type === 'auth') {
        admission.authenticated = true;
        if (admission.claimed !== undefined) {
          ctx.guard.authenticated(admission.source, admission.claimed);
        }
      }
    }
    if (effect.kind === 'emit' && costsAGuess(effect.event)) {
      ctx.guard.failed(admission.source, admission.claimed, ctx.clock.now());
    }
    return ctx.deliver(effect);
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
    // Trusted for some contact: whom its guesses may be at is the guard's to say, per username.
    const trusted = ctx.guard.trustsSource(source);
    if (ctx.guard.refusesConnection(source, ctx.clock.now())) {
      return refuse(connection, 'rate_limited', RATE_LIMITED);
    }
    if ((ctx.perAddress.get(source) ?? 0) >= ctx.maxPerAddress) {
      return refuse(connection, 'busy', BUSY);
    }
    const evicted = ctx.active.size >= ctx.maxConnections ? evictFor(trusted, ctx) : undefined;
    if (ctx.active.size >= ctx.maxConnections) return refuse(connection, 'busy', BUSY);
    const admission = admit(connection, source, trusted, ctx);
    const trace = ctx.traceFor('responder', remote);
    const run$ = runActor(responderLogic(ctx.config, ctx.deps), inbound$(connection, trace), {
      stepDeadlineMs: ctx.stepDeadlineMs,
      firstStepDeadlineMs: ctx.helloDeadlineMs,
      scheduler: ctx.clock,
      screen: limitedAtAuth(admission, ctx),
      answer: interpreter(admission, ctx),
    }).pipe(
      carryOut(
        connection,
        trace,
        (event: ResponderEvent): NodeEvent => ({ kind: 'incoming', event, remote }),
        () => release(admission, ctx),
      ),
    );
    const contained$ = run$.pipe(
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
  /** Tells an event that no connection's stream carries (an error of our own I/O). */
  readonly tell: (event: NodeEvent) => void;
  /** Keeps a fresh message (in the history) before it is shown, recorded and acked. */
  readonly keep: ((message: ReceivedMessage) => void) | undefined;
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
        lookupGroup: (username) => findContact(deps.state$.value.directory, username)?.group,
      },
      // The cause of a failure to show or record (a path, say) is ours to tell, not the peer's.
      deliver: answerFrom(deps.ports.store.dedupe, {
        keep: deps.keep,
        deliver: deps.deliver,
        onFailure: (err) => deps.tell(internalEvent(err)),
      }),
      guard: createGuard({ ...GUARD_DEFAULTS, perSource: deps.authLimit }, (source) =>
        deps.state$.value.directory.filter((c) => sourceOf(c.ip) === source).map((c) => c.username),
      ),
      helloDeadlineMs: Math.min(deps.helloDeadlineMs, deps.stepDeadlineMs),
      maxConnections: deps.maxConnections,
      maxPerAddress: deps.maxPerAddress,
      perAddress: new Map(),
      active: new Map(),
      open: deps.open,
      traceFor: deps.traceFor,
      stepDeadlineMs: deps.stepDeadlineMs,
      clock: deps.ports.clock,
    };
    return connections$.pipe(
      mergeMap((event) =>
        event.kind === 'connection' ? respond$(event.connection, ctx) : of<NodeEvent>(event),
      ),
    );
  });

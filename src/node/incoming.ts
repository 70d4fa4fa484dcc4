/**
 * One incoming connection: refused at once when its address is rate-limited or has its share
 * of the cap, admitted when there is room (or when it may take the place of a connection from
 * an address that holds more, see `pickEviction`), then answered by a responder actor.
 * Whatever the peer does, it ends here.
 */
import { catchError, defer, merge, mergeMap, type Observable, of, type SchedulerLike } from 'rxjs';
import { runActor } from '../actors/driver.js';
import {
  RATE_LIMITED,
  type ResponderConfig,
  type ResponderDeps,
  type ResponderEvent,
  responderLogic,
} from '../actors/responder.js';
import { contactAnswer } from '../actors/responder-state.js';
import type { Effect, Inbound } from '../actors/types.js';
import { findContact } from '../codecs/directory.js';
import { GUARD_DEFAULTS } from '../limits.js';
import { carryOut, inbound$, type TraceSink } from '../streams/session.js';
import type { Connection, ServerEvent } from '../streams/tcp.js';
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
  /** Answers `remember` from the dedupe memory; a failure to record is told, not acked. */
  readonly remember: (effect: Effect<ResponderEvent>) => Inbound | undefined;
  /** Answers `lookup`: the contact's secret and pinned group, from the directory as it is now. */
  readonly lookup: (username: string) => Inbound;
  readonly guard: Guard;
  /** Whether a source is a contact's address (from the directory as it is now). */
  readonly isContactAddress: (source: string) => boolean;
  readonly helloDeadlineMs: number;
  readonly traceFor: (role: Role, remote: string) => TraceSink | undefined;
  readonly stepDeadlineMs: number;
  readonly scheduler: SchedulerLike;
}

/**
 * The interpreter of the responder's effects: the cap and the guard learn what happened from
 * what the actor says (claimed, authenticated, a guess charged), the budgets answer its
 * `may_guess` before any work a guess is made with, the directory as it is now answers its
 * `lookup`, and the dedupe memory its `remember`. Nothing here reads frame types or phases.
 */
const interpreter = (admission: Admission, ctx: IncomingContext) => {
  return (effect: Effect<ResponderEvent>): Inbound | undefined => {
    switch (effect.kind) {
      case 'send':
        admission.progress += 1;
        return undefined;
      case 'claimed':
        admission.claimed = effect.username;
        return undefined;
      case 'lookup':
        return ctx.lookup(effect.username);
      case 'may_guess': {
        const { source, claimed, trusted } = admission;
        const refused = ctx.guard.refusesProof(source, claimed, trusted, ctx.scheduler.now());
        return { kind: 'budget', allowed: !refused };
      }
      case 'authenticated':
        admission.authenticated = true;
        ctx.guard.authenticated(admission.source);
        return undefined;
      case 'guess': {
        const { source, claimed, trusted } = admission;
        ctx.guard.failed(source, claimed, trusted, ctx.scheduler.now());
        return undefined;
      }
      default:
        return ctx.remember(effect);
    }
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
    const trusted = ctx.guard.knows(source) || ctx.isContactAddress(source);
    if (ctx.guard.refusesConnection(source, trusted, ctx.scheduler.now())) {
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
      scheduler: ctx.scheduler,
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
      deps: deps.actor,
      lookup: (username) => contactAnswer(findContact(deps.state$.value.directory, username)),
      // The cause of a failure to record (a path, say) is ours to tell, not the peer's to read.
      remember: answerFrom(deps.dedupe, (err) => deps.tell(internalEvent(err))),
      guard: createGuard({ ...GUARD_DEFAULTS, perSource: deps.authLimit }),
      isContactAddress: (source) =>
        deps.state$.value.directory.some((c) => sourceOf(c.ip) === source),
      helloDeadlineMs: Math.min(deps.helloDeadlineMs, deps.stepDeadlineMs),
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

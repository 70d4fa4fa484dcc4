/**
 * One incoming connection: refused at once when its address is rate-limited or has its share
 * of the cap, admitted when there is room (or when it may take the place of a connection from
 * an address that holds more, see `pickEviction`), then answered by a responder actor.
 * Whatever the peer does, it ends here.
 */
import { catchError, defer, merge, mergeMap, type Observable, of } from 'rxjs';
import { type Answer, runActor } from '../actors/driver.js';
import { type IncomingEvent, incomingLogic, isInviterEvent } from '../actors/incoming.js';
import type { InviterEvent } from '../actors/invite-inviter.js';
import {
  RATE_LIMITED,
  type ResponderConfig,
  type ResponderDeps,
  type ResponderEvent,
} from '../actors/responder.js';
import { contactAnswer } from '../actors/responder-state.js';
import type { Effect, Inbound, ReceivedMessage } from '../actors/types.js';
import { type Directory, findContact } from '../codecs/directory.js';
import { protocolError } from '../codecs/errors.js';
import { whyOf } from '../errors.js';
import type { JoinedContact } from '../invite/types.js';
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
import { answerFrom, type DeliverySink, dedupeKey } from './dedupe.js';
import { sourceOf } from './defences.js';
import type { Epic } from './epic.js';
import { createGuard, type Guard } from './guard.js';
import { INVITE_ENDED, type InviteDesk } from './invite-desk.js';
import { fileContact$ } from './invites.js';
import { moveOf } from './moves.js';
import { createPartJoiner, type Taken } from './part-joiner.js';
import type { NodeEvent, Role } from './types.js';

export interface IncomingContext extends CapBooks {
  readonly config: ResponderConfig;
  readonly deps: ResponderDeps;
  /** Answers `deliver`: the sink, then the dedupe memory; a failure of either is told, not acked. */
  readonly deliver: (effect: Effect<ResponderEvent>) => Answer;
  /** Answers `lookup`: the contact's secret and pinned group, from the directory as it is now. */
  readonly lookup: (username: string) => Inbound;
  /** The guessing budgets; it knows whom each source is trusted for (see guard.ts). */
  readonly guard: Guard;
  readonly helloDeadlineMs: number;
  readonly traceFor: (role: Role, remote: string) => TraceSink | undefined;
  readonly stepDeadlineMs: number;
  readonly clock: Clock;
  /** What a verified message's `received` event becomes (a part held, or the whole text). */
  readonly published: (event: ResponderEvent, remote: string) => NodeEvent;
  /** The directory as it is now (a move is judged against it). */
  readonly directory: () => Directory;
  /** Says an event as it happens (a `moved` contact, folded into the state at once). */
  readonly tell: (event: NodeEvent) => void;
  /** The open invite (one at a time), which the inviter actors ask. */
  readonly desk: InviteDesk;
  /** Files a contact an invite made (the sink, then the node's contacts). */
  readonly fileContact: (
    contact: JoinedContact & { readonly password: string },
    failed: (message: string) => void,
    filed: () => void,
  ) => Observable<Inbound>;
  /** The port we listen on, told in an invite's welcome. */
  readonly listenPort: () => number;
}

/**
 * The interpreter of the responder's effects: the cap and the guard learn what happened from
 * what the actor says (claimed, authenticated, a guess charged), the budgets answer its
 * `may_guess` before any work a guess is made with, the directory as it is now answers its
 * `lookup`, and the sink and the dedupe memory its `deliver`. Nothing here reads frame types
 * or phases.
 */
const interpreter = (admission: Admission, ctx: IncomingContext) => {
  const remote = admission.connection.remoteAddress;
  return (effect: Effect<IncomingEvent>): Answer => {
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
        const refused = ctx.guard.refusesProof(
          admission.source,
          admission.claimed,
          ctx.clock.now(),
        );
        return { kind: 'budget', allowed: !refused };
      }
      case 'authenticated':
        admission.authenticated = true;
        if (admission.claimed !== undefined) {
          ctx.guard.authenticated(admission.source, admission.claimed);
        }
        return undefined;
      case 'listens': {
        // After proof_I and the listen MAC verified (the actor says so only then).
        const move = moveOf(
          ctx.directory(),
          effect.username,
          admission.connection.remoteAddress,
          effect.port,
        );
        if (move !== undefined) ctx.tell({ kind: 'moved', ...move });
        return undefined;
      }
      case 'guess':
        ctx.guard.failed(admission.source, admission.claimed, ctx.clock.now());
        return undefined;
      case 'invite_claim':
        return ctx.desk.claim(
          effect.username,
          admission,
          ctx.directory(),
          ctx.clock.now(),
          ctx.listenPort(),
        );
      case 'invite_wrong':
        return ctx.desk.wrong(admission, remote);
      case 'file_contact': {
        // The invite ended while this joiner was at it (cancelled, expired, the node closing):
        // its end was told already, so nobody would hear of a contact filed now. Not filed.
        if (!ctx.desk.holds(admission)) {
          return { kind: 'invalid', error: protocolError('no_invite', INVITE_ENDED) };
        }
        const contact = { username: effect.username, ip: remote, port: effect.port };
        return ctx.fileContact(
          { ...contact, password: effect.password },
          (message) => ctx.desk.fileFailed(admission, message),
          () => ctx.desk.joined(admission, contact),
        );
      }
      default:
        return ctx.deliver(effect as Effect<ResponderEvent>);
    }
  };
};

/**
 * What an inviter's end tells: the invite hears of a joiner refused (busy, a taken name);
 * wrong codes and the joined contact the desk says as they happen. The node's stream gets
 * one `invite_exchange` per connection, its outcome.
 */
const inviterNews = (event: InviterEvent, remote: string, ctx: IncomingContext): NodeEvent => {
  if (event.kind === 'invite_refused' && event.code !== 'no_invite') {
    ctx.desk.refused({
      kind: 'refused',
      code: event.code,
      username: event.username,
      remote,
      message: event.message,
    });
  }
  return { kind: 'invite_exchange', remote, outcome: event.kind };
};

const internalEvent = (err: unknown): NodeEvent => ({
  kind: 'error',
  code: 'internal',
  message: whyOf(err),
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
    const run$ = runActor(incomingLogic(ctx.config, ctx.deps), inbound$(connection, trace), {
      stepDeadlineMs: ctx.stepDeadlineMs,
      firstStepDeadlineMs: ctx.helloDeadlineMs,
      scheduler: ctx.clock,
      answer: interpreter(admission, ctx),
    }).pipe(
      carryOut(
        connection,
        trace,
        (event: IncomingEvent): NodeEvent =>
          isInviterEvent(event) ? inviterNews(event, remote, ctx) : ctx.published(event, remote),
        () => {
          ctx.desk.release(admission);
          release(admission, ctx);
        },
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

/**
 * The incoming epic: every connection a responder, behind the cap and the limiter. The
 * defences' books are made per subscription, so each pipeline has its own.
 */
export const answer$: Epic<ServerEvent> = (connections$, state$, deps) =>
  defer(() => {
    const parts = joinParts(deps.deliver, () => deps.ports.store.history?.records() ?? []);
    const ctx: IncomingContext = {
      config: { self: deps.self, groups: deps.groups },
      deps: deps.actor,
      lookup: (username) => contactAnswer(findContact(state$.value.directory, username)),
      // The cause of a failure to show or record (a path, say) is ours to tell, not the peer's.
      deliver: answerFrom(deps.ports.store.dedupe, {
        keep: deps.keep,
        deliver: parts.deliver,
        onFailure: (err) => deps.tell(internalEvent(err)),
      }),
      guard: createGuard({ ...GUARD_DEFAULTS, perSource: deps.authLimit }, (source) =>
        state$.value.directory.filter((c) => sourceOf(c.ip) === source).map((c) => c.username),
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
      published: parts.published,
      directory: () => state$.value.directory,
      tell: deps.tell,
      desk: deps.desk,
      fileContact: (contact, failed, filed) => fileContact$(contact, deps, state$, failed, filed),
      listenPort: () => state$.value.listening?.port ?? 0,
    };
    return connections$.pipe(
      mergeMap((event) =>
        event.kind === 'connection' ? respond$(event.connection, ctx) : of<NodeEvent>(event),
      ),
    );
  });

/** What the sink made of each message, until its `received` event is published (bounded). */
const TAKEN_KEPT = 256;

/**
 * Long texts' parts joined before the sink (see part-joiner.ts): a part not the last to come
 * is kept and acknowledged without reaching the sink, and its `received` event becomes a
 * `part` event; the last one hands the sink the whole text, and its event carries that.
 */
const joinParts = (
  sink: DeliverySink | undefined,
  records: Parameters<typeof createPartJoiner>[0],
) => {
  const joiner = createPartJoiner(records);
  const taken = new Map<string, Taken>();
  // No sink: the `received` event is the delivery (published once recorded fresh), so the
  // parts are joined there; with one, before the sink, and its event says what it got.
  const deliver: DeliverySink | undefined =
    sink === undefined
      ? undefined
      : (message: ReceivedMessage) => {
          const t = joiner.take(message);
          const key = dedupeKey(message.from, message.msgId);
          taken.delete(key);
          taken.set(key, t);
          if (taken.size > TAKEN_KEPT) taken.delete(taken.keys().next().value as string);
          return t.kind === 'show' ? sink(t.message) : undefined;
        };
  const takenFor = (message: ReceivedMessage): Taken | undefined => {
    if (sink === undefined) return joiner.take(message);
    const key = dedupeKey(message.from, message.msgId);
    const t = taken.get(key);
    taken.delete(key);
    return t;
  };
  const published = (event: ResponderEvent, remote: string): NodeEvent => {
    if (event.kind !== 'received') return { kind: 'incoming', event, remote };
    const t = takenFor(event.message);
    if (t === undefined) return { kind: 'incoming', event, remote };
    if (t.kind === 'show') {
      return { kind: 'incoming', event: { ...event, message: t.message }, remote };
    }
    const { groupId, k, n } = t.part;
    return { kind: 'part', from: event.message.from, groupId, k, n, have: t.have, remote };
  };
  return { deliver, published };
};

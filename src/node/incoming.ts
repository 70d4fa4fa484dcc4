/**
 * One incoming connection: refused at once when its address is rate-limited or the node is
 * full, otherwise answered by a responder actor. Whatever the peer does, it ends here.
 */
import { concat, defer, finalize, map, type Observable, of, type SchedulerLike, tap } from 'rxjs';
import { runActor } from '../actors/driver.js';
import {
  type ResponderDeps,
  type ResponderEvent,
  startResponder,
  stepResponder,
} from '../actors/responder.js';
import type { Group } from '../codecs/formats.js';
import { errorFrame } from '../codecs/frames.js';
import { encodeFrame } from '../codecs/line.js';
import { carryOut, inbound$, type TraceSink } from '../streams/session.js';
import type { Connection } from '../streams/tcp.js';
import type { AuthLimiter } from './defences.js';
import type { NodeEvent, Role } from './node.js';

export interface IncomingContext {
  readonly self: string;
  readonly groups: readonly Group[];
  readonly deps: ResponderDeps;
  readonly limiter: AuthLimiter;
  readonly maxConnections: number;
  readonly maxPerAddress: number;
  /** Incoming connections in progress per remote address. */
  readonly perAddress: Map<string, number>;
  /** Incoming connections in progress (the cap counts these). */
  readonly active: Set<Connection>;
  /** Every open connection, for close(). */
  readonly open: Set<Connection>;
  readonly traceFor: (role: Role, remote: string) => TraceSink | undefined;
  readonly stepDeadlineMs: number;
  readonly scheduler: SchedulerLike;
}

/** Answer with an error frame and close, without running the protocol. */
const refuse = (
  connection: Connection,
  code: 'busy' | 'rate_limited',
  message: string,
): Observable<NodeEvent> =>
  concat(
    connection.send(encodeFrame(errorFrame(code, message))).pipe(
      finalize(() => connection.close()),
      // A peer that is already gone changes nothing: we were closing anyway.
      tap({ error: () => connection.close() }),
    ),
    of<NodeEvent>({ kind: 'refused', code, remote: connection.remoteAddress }),
  ).pipe(map((e) => e as NodeEvent));

const isAuthFailure = (event: ResponderEvent): boolean =>
  event.kind === 'rejected' &&
  event.failure.cause === 'rejected' &&
  event.failure.code === 'auth_failed';

export const respond$ = (connection: Connection, ctx: IncomingContext): Observable<NodeEvent> =>
  defer(() => {
    const remote = connection.remoteAddress;
    if (ctx.limiter.isLimited(remote, ctx.scheduler.now())) {
      return refuse(connection, 'rate_limited', 'too many failed attempts; try again later');
    }
    const fromThisAddress = ctx.perAddress.get(remote) ?? 0;
    if (ctx.active.size >= ctx.maxConnections || fromThisAddress >= ctx.maxPerAddress) {
      return refuse(connection, 'busy', 'too many connections in progress; try again shortly');
    }
    ctx.perAddress.set(remote, fromThisAddress + 1);
    ctx.active.add(connection);
    ctx.open.add(connection);
    const config = { self: ctx.self, groups: ctx.groups };
    const trace = ctx.traceFor('responder', remote);
    return runActor(
      startResponder(config),
      (state, input) => stepResponder(state, input, ctx.deps),
      inbound$(connection, trace),
      { stepDeadlineMs: ctx.stepDeadlineMs, scheduler: ctx.scheduler },
    ).pipe(
      carryOut<ResponderEvent>(connection, trace),
      tap((event) => {
        if (isAuthFailure(event)) ctx.limiter.recordFailure(remote, ctx.scheduler.now());
      }),
      map((event): NodeEvent => ({ kind: 'incoming', event, remote })),
      finalize(() => {
        const left = (ctx.perAddress.get(remote) ?? 1) - 1;
        if (left === 0) ctx.perAddress.delete(remote);
        else ctx.perAddress.set(remote, left);
        ctx.active.delete(connection);
        ctx.open.delete(connection);
      }),
    );
  });

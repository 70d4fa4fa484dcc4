/**
 * The invites epic (issue 19): invite jobs open, expire and cancel the node's one invite (the
 * desk, which the inviter actors of incoming connections ask); a join job connects and runs
 * the joiner actor. A contact either side files goes through the `fileContact` sink first,
 * then into the node's contacts, so that it can be sent to at once.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  defer,
  EMPTY,
  endWith,
  ignoreElements,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  share,
  takeUntil,
  tap,
  throwError,
  timer,
} from 'rxjs';
import { runActor } from '../actors/driver.js';
import { type JoinerEvent, joinerLogic } from '../actors/invite-joiner.js';
import type { Inbound } from '../actors/types.js';
import { type Directory, decodeDirectory, findContact, isHost } from '../codecs/directory.js';
import { protocolError } from '../codecs/errors.js';
import { isUsername, type Username } from '../codecs/formats.js';
import type { InputError } from '../codecs/inputs.js';
import { parleyError, whyOf } from '../errors.js';
import { parseCode } from '../invite/code.js';
import {
  type ContactSink,
  INVITE_EXPIRES_MS,
  INVITE_MAX_WRONG,
  type InviteOptions,
  type JoinEvent,
  type JoinedContact,
} from '../invite/types.js';
import { MAX_TIMER_MS } from '../limits.js';
import type { Connection } from '../ports/ports.js';
import { carryOut, inbound$ } from '../streams/session.js';
import type { EpicDeps, StateObservable } from './epic.js';
import type { NodeState } from './state.js';
import type { NodeEvent } from './types.js';

/** At most this many wrong codes may an invite take (the code is short: few guesses). */
export const MAX_WRONG_LIMIT = 10;

export type InviteJob =
  | {
      readonly id: number;
      readonly kind: 'invite';
      readonly expiresInMs: number;
      readonly maxWrong: number;
      /** Only a joiner of this username may use it. */
      readonly forName?: string;
    }
  /** Cancel the open invite (of job `inviteId`, or whichever is open). */
  | { readonly id: number; readonly kind: 'invite_cancel'; readonly inviteId?: number }
  | {
      readonly id: number;
      readonly kind: 'join';
      readonly to: { readonly host: string; readonly port: number };
      readonly code: string;
    };

const refusedInput = (message: string): E.Either<InputError, never> =>
  E.left(parleyError('invalid_input', message));

/** An invite job from a program's options, its defaults filled in. */
export const inviteJob = (
  id: number,
  options: InviteOptions = {},
): E.Either<InputError, InviteJob> => {
  const expiresInMs = options.expiresInMs ?? INVITE_EXPIRES_MS;
  const maxWrong = options.maxWrongAttempts ?? INVITE_MAX_WRONG;
  if (!Number.isInteger(expiresInMs) || expiresInMs < 1 || expiresInMs > MAX_TIMER_MS) {
    return refusedInput(`expiresInMs must be a whole number of ms from 1 to ${MAX_TIMER_MS}`);
  }
  if (!Number.isInteger(maxWrong) || maxWrong < 1 || maxWrong > MAX_WRONG_LIMIT) {
    return refusedInput(`maxWrongAttempts must be a whole number from 1 to ${MAX_WRONG_LIMIT}`);
  }
  const { fileAs } = options;
  if (fileAs !== undefined && !isUsername(fileAs)) {
    return refusedInput(`fileAs: "${String(fileAs).slice(0, 40)}" is not a username`);
  }
  return E.right({
    id,
    kind: 'invite',
    expiresInMs,
    maxWrong,
    ...(fileAs === undefined ? {} : { forName: fileAs }),
  });
};

/** A join job: the address checked, the code normalised (or a sentence saying what is wrong). */
export const joinJob = (
  id: number,
  to: { readonly host: string; readonly port: number },
  code: string,
): E.Either<InputError, InviteJob> => {
  if (typeof to.host !== 'string' || !isHost(to.host)) {
    return refusedInput(`"${String(to.host).slice(0, 60)}" is not a host name or an IP address`);
  }
  if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65_535) {
    return refusedInput(`${to.port} is not a port from 1 to 65535`);
  }
  return E.map((normalised: string) => ({
    id,
    kind: 'join' as const,
    to: { host: to.host, port: to.port },
    code: normalised,
  }))(
    E.mapLeft((e: { readonly message: string }) => parleyError('invalid_input', e.message))(
      parseCode(code),
    ),
  );
};

/** The sink's default: the node's contacts only (an embedder reads them from `state$`). */
const inMemoryOnly: ContactSink = () => of(null);

/** The directory with `contact` added (its name is free: both sides checked before filing). */
const withContact = (
  directory: Directory,
  contact: JoinedContact & { readonly password: string },
): Directory | undefined => {
  const entry = {
    username: contact.username,
    password: contact.password,
    port: contact.port,
    ip: contact.ip,
  };
  const next = decodeDirectory([...directory, entry], 'the invite');
  return E.isRight(next) ? next.right : undefined;
};

/**
 * Files a contact an invite made: the sink (durable), then the node's contacts. The answer to
 * the actor's `file_contact`: `filed` once the sink completed, or an `internal` error (the
 * peer is told only that, never our path), with `failed` told why.
 */
export const fileContact$ = (
  contact: JoinedContact & { readonly password: string },
  deps: EpicDeps,
  state$: StateObservable<NodeState>,
  failed: (message: string) => void,
  filed: () => void,
): Observable<Inbound> =>
  defer(() =>
    // A name we have already is never overwritten, whatever the sink would do.
    findContact(state$.value.directory, contact.username) === undefined
      ? (deps.fileContact ?? inMemoryOnly)(contact)
      : throwError(() => new Error(`you already have a contact named ${contact.username}`)),
  ).pipe(
    ignoreElements(),
    endWith<Inbound>({ kind: 'filed' }),
    tap(() => {
      const directory = withContact(state$.value.directory, contact);
      if (directory !== undefined) deps.tell({ kind: 'contacts', directory });
      filed();
    }),
    catchError((err: unknown) => {
      failed(whyOf(err));
      return of<Inbound>({
        kind: 'invalid',
        error: protocolError('internal', 'the contact could not be filed here'),
      });
    }),
  );

/** What a joiner's end means for the person who typed the code. */
const joinOutcome = (
  event: JoinerEvent,
  to: { readonly host: string },
  fileError: string | undefined,
): JoinEvent => {
  if (event.kind === 'joined') {
    return { kind: 'joined', contact: { username: event.username, ip: to.host, port: event.port } };
  }
  if (fileError !== undefined) return { kind: 'failed', code: 'file_failed', message: fileError };
  const { failure } = event;
  const message =
    failure.cause === 'peer_error' || failure.cause === 'rejected'
      ? failure.message
      : failure.cause === 'timeout'
        ? 'the inviter did not answer in time'
        : 'the inviter closed the connection';
  return { kind: 'failed', code: event.code, message };
};

const join$ = (
  job: Extract<InviteJob, { kind: 'join' }>,
  deps: EpicDeps,
  state$: StateObservable<NodeState>,
): Observable<JoinEvent> => {
  const listen = state$.value.listening?.port;
  if (listen === undefined) {
    return of({
      kind: 'failed',
      code: 'protocol',
      message: 'this node does not listen: the inviter could not reach it back',
    });
  }
  const remote = `${job.to.host}:${job.to.port}`;
  return deps.ports.transport
    .connect$({
      host: job.to.host,
      port: job.to.port,
      timeoutMs: deps.connectTimeoutMs,
      localAddress: deps.localAddress,
    })
    .pipe(
      mergeMap(
        E.fold(
          (failure): Observable<JoinEvent> =>
            of({ kind: 'failed', code: 'unreachable', message: failure.message }),
          (connection: Connection) => {
            let fileError: string | undefined;
            const trace = deps.traceFor('initiator', remote, job.id);
            deps.open.add(connection);
            const params = { self: deps.self as Username, code: job.code, listen };
            return runActor(joinerLogic(params, deps.actor), inbound$(connection, trace), {
              stepDeadlineMs: deps.stepDeadlineMs,
              scheduler: deps.ports.clock,
              answer: (effect) =>
                effect.kind === 'file_contact'
                  ? fileContact$(
                      {
                        username: effect.username,
                        ip: job.to.host,
                        port: effect.port,
                        password: effect.password,
                      },
                      deps,
                      state$,
                      (message) => {
                        fileError = message;
                      },
                      () => {},
                    )
                  : undefined,
            }).pipe(
              carryOut(
                connection,
                trace,
                (event: JoinerEvent) => joinOutcome(event, job.to, fileError),
                () => deps.open.delete(connection),
              ),
            );
          },
        ),
      ),
      catchError((err: unknown) =>
        of<JoinEvent>({
          kind: 'failed',
          code: 'protocol',
          message: `internal error in parley: ${whyOf(err)}`,
        }),
      ),
    );
};

/** The invites epic: each invite job opens (or is refused), expires, or cancels; each join runs. */
export const invites$ = (
  jobs$: Observable<InviteJob>,
  state$: StateObservable<NodeState>,
  deps: EpicDeps,
): Observable<NodeEvent> =>
  defer(() => {
    const shared$ = jobs$.pipe(share());
    // The node stops taking jobs: an open invite ends (cancelled) and its expiry with it.
    const stopped$ = shared$.pipe(ignoreElements(), endWith(null), share());
    const { desk, ports } = deps;
    const take = (job: InviteJob): Observable<NodeEvent> => {
      switch (job.kind) {
        case 'invite': {
          const event = desk.open(job.id, job, {
            now: ports.clock.now(),
            listening: state$.value.listening !== undefined,
          });
          const opened = of<NodeEvent>({ kind: 'invite', jobId: job.id, event });
          if (event.kind !== 'open') return opened;
          const expiry$ = timer(job.expiresInMs, ports.clock).pipe(
            tap(() => desk.close({ kind: 'expired' }, job.id)),
            ignoreElements(),
            takeUntil(stopped$),
          );
          return merge(opened, expiry$);
        }
        case 'invite_cancel':
          desk.close({ kind: 'cancelled' }, job.inviteId);
          return EMPTY;
        case 'join':
          return join$(job, deps, state$).pipe(
            map((event): NodeEvent => ({ kind: 'join', jobId: job.id, event })),
          );
      }
    };
    return merge(
      shared$.pipe(mergeMap(take)),
      stopped$.pipe(
        tap(() => desk.close({ kind: 'cancelled' })),
        ignoreElements(),
      ),
    );
  });

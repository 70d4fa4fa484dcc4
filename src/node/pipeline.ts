/**
 * parley as one cold pipeline: `parley$(sources, deps)`. Incoming connections, jobs, contact
 * changes and (for the console) keyboard lines are its sources; each concern is a function of
 * observables (an epic, as redux-observable calls it) and they are merged once. Nothing runs
 * until it is subscribed, and each subscription is a node of its own.
 *
 *   connections$ ─► answer$ (a responder per connection) ─┐
 *   jobs$ ─┬──────► run$    (an initiator per job)       ─┼─► NodeEvent ─► reduceNodeState
 *   lines$ ─► lines epic ─► jobs, contacts, views        ─┘      (state$, read by the epics)
 *   contacts$ ───────────────────────────────────────────┘
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  BehaviorSubject,
  concatMap,
  defer,
  distinctUntilChanged,
  EMPTY,
  endWith,
  filter,
  finalize,
  ignoreElements,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  ReplaySubject,
  Subject,
  share,
  switchMap,
  take,
  takeUntil,
  tap,
  timer,
} from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import { type ParleyError, parleyError, whyOf } from '../errors.js';
import type { Connection, ListenAt, Ports, Store } from '../ports/ports.js';
import type { TraceSink } from '../streams/session.js';
import { announce$ } from './announce.js';
import type { EpicDeps, StateObservable } from './epic.js';
import { keepReceived, keepSent, sentRecords } from './history.js';
import { answer$ } from './incoming.js';
import { createInviteDesk } from './invite-desk.js';
import { type InviteJob, invites$ } from './invites.js';
import type { Job } from './jobs.js';
import type { PipelineDeps } from './options.js';
import { autoRetry$, retryOf, waitingAhead } from './retry.js';
import { run$ } from './sending.js';
import { initialNodeState, type NodeState, reduceNodeState, roomFor } from './state.js';
import type { NodeEvent, Role } from './types.js';

/** What a lines epic may ask of the pipeline, besides what it shows. */
export type LineAction<View> =
  | { readonly kind: 'job'; readonly job: Job }
  /** Open, cancel or join an invite (invites.ts). */
  | { readonly kind: 'invite_job'; readonly job: InviteJob }
  | { readonly kind: 'contacts'; readonly directory: Directory }
  | { readonly kind: 'stop' }
  /** Drop a waiting message from the outbox (not one being sent): it is not sent again. */
  | { readonly kind: 'drop'; readonly msgId: string }
  | { readonly kind: 'view'; readonly view: View };

/**
 * Turns lines (the keyboard's) into jobs, contact changes, a stop, and things to show, with
 * the node's events, its state and the ports at hand: the console is one.
 */
export type LinesEpic<Line, View> = (
  lines$: Observable<Line>,
  event$: Observable<NodeEvent>,
  state$: StateObservable<NodeState>,
  ports: Ports,
) => Observable<LineAction<View>>;

export interface ParleySources<Line = never, View = never> {
  /** Where to take incoming connections (through the transport port); none: send only. */
  readonly listen?: ListenAt;
  readonly jobs$?: Observable<Job>;
  /** Invites to open or cancel, and invites to join (invites.ts). */
  readonly inviteJobs$?: Observable<InviteJob>;
  /** The contacts, each time they change (the first one at start). */
  readonly contacts$?: Observable<Directory>;
  readonly lines$?: Observable<Line>;
  readonly linesEpic?: LinesEpic<Line, View>;
  /**
   * Stop: take no new connection, job or line; let exchanges in progress finish within the
   * close deadline, then destroy what is left. The pipeline completes when all is done.
   */
  readonly stop$?: Observable<unknown>;
}

export type ParleyOutput<View> = NodeEvent | { readonly kind: 'view'; readonly view: View };

/** Where the pipeline keeps its state, for a caller that holds it (as `createNode` does). */
export interface StateHolder {
  /**
   * Folded into instead of a subject of the pipeline's own; it must start from
   * `initialNodeState(deps.directory)`, and serves one subscription only.
   */
  readonly state$?: BehaviorSubject<NodeState>;
}

export const parley$ = <Line = never, View = never>(
  sources: ParleySources<Line, View>,
  deps: PipelineDeps,
  holder: StateHolder = {},
): Observable<ParleyOutput<View>> =>
  defer(() => {
    const state$ = holder.state$ ?? new BehaviorSubject(initialNodeState(deps.directory));
    // Messages kept from an earlier run come first, as an event, so every reducer sees them.
    const kept = deps.ports.store.outbox?.load() ?? [];
    const restored$ = kept.length > 0 ? of<NodeEvent>({ kind: 'restored', outbox: kept }) : EMPTY;
    const saver = outboxSaver(deps.ports.store.outbox);
    // Messages another process of this name hands in while we hold the outbox join it too;
    // each file goes once the outbox file holds its message (kept), never before.
    const handedIn = deps.ports.store.outbox?.handedIn?.(
      (entries) =>
        roomFor(state$.value, entries, {
          maxMessages: deps.maxOutboxMessages,
          maxBytes: deps.maxOutboxBytes,
        }),
      () => saver.keep(state$.value),
    );
    // The pipeline's own events, for the lines epic (a console reports its sends from them).
    const event$ = new Subject<NodeEvent>();
    const open = new Set<Connection>();
    const fromLines$ = linesOf(sources, event$, readOnly(state$), deps.ports);
    const stop$ = merge(
      sources.stop$ ?? EMPTY,
      fromLines$.pipe(filter((a) => a.kind === 'stop')),
    ).pipe(take(1), share({ connector: () => new ReplaySubject(1) }));
    const until = <T>(source$: Observable<T>): Observable<T> => source$.pipe(takeUntil(stop$));
    const asked = <K extends LineAction<View>['kind']>(kind: K) =>
      fromLines$.pipe(filter((a): a is Extract<LineAction<View>, { kind: K }> => a.kind === kind));

    const callerJobs$ = merge(sources.jobs$ ?? EMPTY, asked('job').pipe(map((a) => a.job)));
    // Told once we listen (if we do): a contact that hears of us may connect back at once.
    const up$ = sources.listen
      ? event$.pipe(
          filter((e) => e.kind === 'listening'),
          take(1),
        )
      : of(null);
    const jobs$ = until(withRetries(callerJobs$, state$, event$, deps, up$));
    const contacts$ = until(
      merge(sources.contacts$ ?? EMPTY, asked('contacts').pipe(map((a) => a.directory))),
    );
    // Events told from outside the streams as they happen (frame traces from the sockets'
    // interpreter, errors of our own I/O) join here.
    const told$ = new Subject<NodeEvent>();
    const tell = (event: NodeEvent) => told$.next(event);
    const traceFor = (role: Role, remote: string, jobId?: number): TraceSink | undefined =>
      deps.trace ? (trace) => tell({ kind: 'frame', role, remote, jobId, ...trace }) : undefined;
    const history = deps.ports.store.history;
    const clock = deps.ports.clock;
    // A fresh message is kept in the history as part of its delivery: before its ack.
    const keep = keepReceived(history, () => clock.now());
    const view$ = readOnly(state$);
    const desk = createInviteDesk(tell, deps.ports.random.bytes);
    const shared: EpicDeps = { ...deps, keep, open, traceFor, tell, desk };
    const inviteJobs$ = until(
      merge(sources.inviteJobs$ ?? EMPTY, asked('invite_job').pipe(map((a) => a.job))),
    );
    const finished$ = new Subject<void>();
    const work$ = merge(
      restored$,
      until(handedIn ?? EMPTY).pipe(map((outbox): NodeEvent => ({ kind: 'restored', outbox }))),
      contacts$.pipe(map((directory): NodeEvent => ({ kind: 'contacts', directory }))),
      until(asked('drop')).pipe(map(({ msgId }): NodeEvent => ({ kind: 'dropped', msgId }))),
      answer$(
        until(sources.listen ? deps.ports.transport.listen$(sources.listen) : EMPTY),
        view$,
        shared,
      ),
      run$(jobs$, view$, shared),
      invites$(inviteJobs$, view$, shared),
    ).pipe(finalize(() => finished$.next()));
    const events$: Observable<NodeEvent> = merge(
      // stop$ is shared: held from the start to the end of the work, so that an until() whose
      // source ends at once (an absent source is EMPTY) cannot leave it without a subscriber,
      // which would reset it and the lines epic it shares.
      stop$.pipe(ignoreElements(), takeUntil(finished$)),
      work$,
      persisted$(state$, saver).pipe(takeUntil(finished$)),
      told$.pipe(takeUntil(finished$)),
      closeDeadline$(stop$, open, deps).pipe(takeUntil(finished$)),
    ).pipe(
      // The one place the state changes: each event is folded in before anyone sees it.
      tap({
        next: (event) => {
          const before = state$.value;
          const next = reduceNodeState(before, event);
          // Most events (frames, incoming messages) change nothing the state holds.
          if (next !== before) state$.next(next);
          event$.next(event);
          // Sent messages go into the history as their reports come; a failure is said.
          const records = sentRecords(event, before, next, clock.now());
          for (const failed of keepSent(history, records)) tell(failed);
        },
        finalize: () => event$.complete(),
      }),
    );
    // Views first: a source that says something at once (a transport that listens
    // synchronously, as the memory one does) has its words drawn, not dropped by the share.
    return merge(asked('view'), events$);
  });

/**
 * The callers' jobs and the outbox's own retries, which go on while callers may send. A new
 * message to a contact that has messages waiting goes after them: they are retried first.
 */
const withRetries = (
  callerJobs$: Observable<Job>,
  state$: BehaviorSubject<NodeState>,
  event$: Observable<NodeEvent>,
  deps: PipelineDeps,
  up$: Observable<unknown>,
): Observable<Job> =>
  defer(() => {
    const shared$ = callerJobs$.pipe(share());
    let retryId = 0;
    const nextId = () => --retryId;
    const retries$ = autoRetry$(state$, event$, { clock: deps.ports.clock, nextId }).pipe(
      takeUntil(shared$.pipe(ignoreElements(), endWith(null))),
    );
    const inOrder$ = deps.inOrder
      ? shared$.pipe(
          concatMap((job) => [
            ...waitingAhead(state$.value, job).map((entry) => retryOf(entry, nextId())),
            job,
          ]),
        )
      : shared$;
    const announced$ = deps.announce
      ? up$.pipe(switchMap(() => announce$(deps.self, deps.directory, deps.group, event$, nextId)))
      : EMPTY;
    return merge(inOrder$, retries$, announced$);
  });

/** What of the state the outbox file keeps: a state with the same two has nothing new. */
const sameOutbox = (a: NodeState, b: NodeState) => a.outbox === b.outbox && a.sending === b.sending;

/** Why the outbox file could not be written. */
type OutboxFileError = ParleyError<'outbox_file'>;

/** Writes the outbox file, and knows what it last wrote. */
interface OutboxSaver {
  readonly present: boolean;
  /** Write what `state` has pending. Left: why it could not. */
  readonly save: (state: NodeState) => E.Either<OutboxFileError, void>;
  /** Right once the file holds what `state` has pending: written now unless it already was. */
  readonly keep: (state: NodeState) => E.Either<OutboxFileError, void>;
}

const outboxSaver = (store: Store['outbox']): OutboxSaver => {
  let saved: NodeState | undefined;
  const save = (state: NodeState): E.Either<OutboxFileError, void> => {
    if (store === undefined) return E.right(undefined);
    try {
      store.save(state);
      saved = state;
      return E.right(undefined);
    } catch (err) {
      saved = undefined;
      return E.left(parleyError('outbox_file', whyOf(err)));
    }
  };
  return {
    present: store !== undefined,
    save,
    keep: (state) =>
      saved !== undefined && sameOutbox(saved, state) ? E.right(undefined) : save(state),
  };
};

/**
 * The outbox kept on disk whenever what is pending changes (synchronously: before a new
 * message's first try). A write that fails is said as an internal error; the node goes on.
 */
const persisted$ = (state$: Observable<NodeState>, saver: OutboxSaver): Observable<NodeEvent> => {
  if (!saver.present) return EMPTY;
  return state$.pipe(
    distinctUntilChanged(sameOutbox),
    mergeMap((state) => {
      const saved = saver.save(state);
      if (E.isRight(saved)) return EMPTY;
      return of<NodeEvent>({
        kind: 'error',
        code: 'internal',
        message: `could not keep the outbox on disk (${saved.left.message}); it is kept in memory`,
      });
    }),
  );
};

/**
 * Once stopped, exchanges still in progress get the close deadline; then their sockets are
 * destroyed (each actor hears the end and reports it), so that the pipeline completes.
 */
const closeDeadline$ = (
  stop$: Observable<unknown>,
  open: ReadonlySet<Connection>,
  deps: PipelineDeps,
): Observable<never> =>
  stop$.pipe(
    mergeMap(() => timer(deps.closeDeadlineMs, deps.ports.clock)),
    mergeMap(() => {
      for (const connection of open) connection.destroy();
      return EMPTY;
    }),
  );

/** A read-only view of the state subject: epics read it, only the fold writes it. */
const readOnly = <S>(subject: BehaviorSubject<S>): StateObservable<S> =>
  Object.defineProperty(subject.asObservable(), 'value', {
    get: () => subject.value,
  }) as StateObservable<S>;

const linesOf = <Line, View>(
  sources: ParleySources<Line, View>,
  event$: Observable<NodeEvent>,
  state$: StateObservable<NodeState>,
  ports: Ports,
): Observable<LineAction<View>> =>
  sources.lines$ && sources.linesEpic
    ? sources.linesEpic(sources.lines$, event$, state$, ports).pipe(share())
    : EMPTY;

/**
 * `createNode`: the cold pipeline (`parley$`) made hot for embedders who want an object to
 * hold — it listens at once, numbers jobs, hands each caller its report, and keeps the state
 * at hand. Everything it does, the pipeline does; this only connects it.
 */
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import {
  BehaviorSubject,
  connectable,
  defer,
  EMPTY,
  filter,
  firstValueFrom,
  map,
  mergeMap,
  Observable,
  of,
  ReplaySubject,
  Subject,
} from 'rxjs';
import { type Directory, findContact } from '../codecs/directory.js';
import type { Group } from '../codecs/formats.js';
import type { InputError } from '../codecs/inputs.js';
import { parleyError } from '../errors.js';
import {
  type InviteEvent,
  type InviteOptions,
  isInviteEnd,
  type JoinEvent,
} from '../invite/types.js';
import { type InviteJob, inviteJob, joinJob } from './invites.js';
import {
  type Job,
  messageJob,
  NOWHERE,
  probeJob,
  type Report,
  refusedDelivery,
  refusedProbe,
  retryJob,
  SHUTTING_DOWN,
} from './jobs.js';
import { sendInParts } from './long-send.js';
import { type PipelineDeps, resolveDeps } from './options.js';
import { groupIdOf, needsParts, whyNotParts } from './parts.js';
import { parley$ } from './pipeline.js';
import { type DeliveryReport, type Destination, destinationOf, type SendJob } from './reports.js';
import { initialNodeState, type NodeState } from './state.js';
import { type NodeEvent, type NodeOptions, NodeStartError, type ParleyNode } from './types.js';

export type { NodeEvent, NodeOptions, OutboxEntry, ParleyNode } from './types.js';
export { NodeStartError } from './types.js';

type Wired = ReturnType<typeof hot>;

/** The pipeline with its sources as Subjects, connected once; its state folded alongside. */
const hot = (options: NodeOptions, deps: PipelineDeps) => {
  const jobs$ = new Subject<Job>();
  const inviteJobs$ = new Subject<InviteJob>();
  const contacts$ = new BehaviorSubject<Directory>(deps.directory);
  const stop$ = new ReplaySubject<void>(1);
  const listening = options.listen ?? true;
  // The pipeline folds its events into this state (once: no second reducer here).
  const state$ = new BehaviorSubject<NodeState>(initialNodeState(deps.directory));
  const pipeline$ = parley$(
    {
      ...(listening ? { listen: { port: options.port ?? 0, host: options.host } } : {}),
      jobs$,
      inviteJobs$,
      contacts$,
      stop$,
    },
    deps,
    { state$ },
  ).pipe(filter((out): out is NodeEvent => out.kind !== 'view'));
  const events$ = connectable(pipeline$, {
    connector: () => new Subject<NodeEvent>(),
    resetOnDisconnect: false,
  });
  events$.subscribe({
    // The pipeline contains every failure; should a bug of ours escape, it is not swallowed.
    error: (err: unknown) => state$.error(err),
    complete: () => state$.complete(),
  });
  // Each job's report goes straight to its waiter: one look-up per report, not a filter per
  // waiting job over every event.
  const waiters = new Map<number, (report: Report) => void>();
  events$.subscribe((event) => {
    if (event.kind !== 'delivery' && event.kind !== 'probe') return;
    const waiter = waiters.get(event.jobId);
    waiters.delete(event.jobId);
    waiter?.(event.report);
  });
  const done = firstValueFrom(events$.pipe(filter(() => false)), { defaultValue: undefined });
  return {
    jobs$,
    inviteJobs$,
    contacts$,
    stop$,
    events$,
    state$,
    waiters,
    done: done.then(() => undefined),
  };
};

/**
 * The node's three ways to submit a job, each cold (as an HTTP request observable is): on
 * subscribe, the job is numbered and queued, and its one report emitted. Unsubscribing stops
 * listening, not the job. An input that does not decode is refused at once, in a report.
 */
const submitters = (wired: Wired, deps: PipelineDeps, isClosed: () => boolean) => {
  let nextJobId = 1;
  const submit = <R extends Report>(
    make: (id: number) => E.Either<InputError, Job>,
    refused: (why: string) => R,
  ): Observable<R> =>
    new Observable<R>((subscriber) => {
      const job = make(nextJobId++);
      if (E.isLeft(job) || isClosed()) {
        subscriber.next(refused(E.isLeft(job) ? job.left.message : SHUTTING_DOWN));
        subscriber.complete();
        return;
      }
      const { id } = job.right;
      wired.waiters.set(id, (report) => {
        subscriber.next(report as R);
        subscriber.complete();
      });
      wired.jobs$.next(job.right);
      return () => wired.waiters.delete(id);
    });
  const defaults = { group: deps.group, newMsgId: randomUUID };
  /** A destination as given, or the contact of that name as the directory has it now. */
  const named = (to: Destination | string): E.Either<InputError, Destination> => {
    if (typeof to !== 'string') return E.right(to);
    const contact = findContact(wired.state$.value.directory, to);
    return contact === undefined
      ? E.left(parleyError('invalid_input', `there is no contact called ${to} in the directory`))
      : E.right(destinationOf(contact));
  };
  const addressOfInput = (to: Destination | string) =>
    typeof to === 'string' ? { username: to, host: '', port: 0 } : to;
  const sendOne = (job: SendJob): Observable<DeliveryReport> => {
    const msgId = job.msgId ?? randomUUID();
    return submit(
      (id) =>
        E.chain((to: Destination) => messageJob(id, { ...job, to, msgId }, defaults))(
          named(job.to),
        ),
      (why) => refusedDelivery({ msgId, to: addressOfInput(job.to) }, why),
    );
  };
  return {
    /** A text over one message's bytes goes as numbered parts, with one report for all. */
    send: (job: SendJob): Observable<DeliveryReport> => {
      if (typeof job.text !== 'string' || !needsParts(job.text)) return sendOne(job);
      const groupId = groupIdOf(job.msgId ?? randomUUID());
      const parts = sendInParts(sendOne, job, groupId);
      if (parts !== undefined) return parts.pipe(map((long) => long.report));
      const why = whyNotParts(job.text) ?? '';
      return of(refusedDelivery({ msgId: groupId, to: addressOfInput(job.to) }, why));
    },
    probe: (to: Destination | string, group?: Group) =>
      submit(
        (id) => E.chain((dest: Destination) => probeJob(id, dest, deps.group, group))(named(to)),
        (why) => refusedProbe(addressOfInput(to), why),
      ),
    retry: (msgId: string, to?: Destination) =>
      submit(
        (id) => retryJob(id, msgId, to),
        (why) => refusedDelivery({ msgId, to: to ?? NOWHERE }, why),
      ),
  };
};

/**
 * Invites and joins, each cold: on subscribe the job is numbered and taken, and its events
 * follow until its end. Unsubscribing from an invite before its end cancels it.
 */
const inviters = (wired: Wired, isClosed: () => boolean) => {
  let nextId = 1;
  const follow = <Ev>(
    job: E.Either<InputError, InviteJob>,
    refused: (message: string) => Ev,
    eventOf: (event: NodeEvent, id: number) => Ev | undefined,
    isEnd: (event: Ev) => boolean,
    onDrop: (id: number) => void,
  ): Observable<Ev> =>
    new Observable<Ev>((subscriber) => {
      if (E.isLeft(job) || isClosed()) {
        subscriber.next(refused(E.isLeft(job) ? job.left.message : SHUTTING_DOWN));
        subscriber.complete();
        return;
      }
      const { id } = job.right;
      let ended = false;
      const events = wired.events$.subscribe((e) => {
        const event = eventOf(e, id);
        if (event === undefined) return;
        ended = isEnd(event);
        subscriber.next(event);
        if (ended) subscriber.complete();
      });
      wired.inviteJobs$.next(job.right);
      return () => {
        events.unsubscribe();
        if (!ended && !isClosed()) onDrop(id);
      };
    });
  return {
    invite: (options?: InviteOptions): Observable<InviteEvent> =>
      defer(() =>
        follow<InviteEvent>(
          inviteJob(nextId++, options),
          (message) => ({ kind: 'failed', code: 'invalid_input', message }),
          (e, id) => (e.kind === 'invite' && e.jobId === id ? e.event : undefined),
          isInviteEnd,
          (id) => wired.inviteJobs$.next({ id: nextId++, kind: 'invite_cancel', inviteId: id }),
        ),
      ),
    join: (to: { readonly host: string; readonly port: number }, code: string) =>
      defer(() =>
        follow<JoinEvent>(
          joinJob(nextId++, to, code),
          (message) => ({ kind: 'failed', code: 'protocol', message }),
          (e, id) => (e.kind === 'join' && e.jobId === id ? e.event : undefined),
          () => true,
          () => {},
        ),
      ),
  };
};

/** The events without `connect()`: callers subscribe, the node alone connects. */
const plain = <T>(source$: Observable<T>): Observable<T> =>
  new Observable<T>((subscriber) => source$.subscribe(subscriber));

export const createNode = async (options: NodeOptions): Promise<ParleyNode> => {
  const resolved = resolveDeps(options);
  if (E.isLeft(resolved)) throw resolved.left;
  const deps = resolved.right;
  const wired = hot(options, deps);
  let closed = false;
  const node: ParleyNode = {
    name: deps.self,
    port: 0,
    events$: plain(wired.events$),
    received$: wired.events$.pipe(
      mergeMap((e) =>
        e.kind === 'incoming' && e.event.kind === 'received'
          ? of({ ...e.event.message, remote: e.remote })
          : EMPTY,
      ),
    ),
    state$: wired.state$.asObservable(),
    ...submitters(wired, deps, () => closed),
    ...inviters(wired, () => closed),
    outbox: () => wired.state$.value.outbox,
    setDirectory: (next) => wired.contacts$.next(next),
    close: async () => {
      if (!closed) {
        closed = true;
        wired.stop$.next();
      }
      return wired.done;
    },
  };
  wired.events$.connect();
  return (options.listen ?? true) ? listening(node, wired) : node;
};

/** The node once its server listens (with the port it got), or the reason it cannot. */
const listening = async (node: ParleyNode, wired: Wired): Promise<ParleyNode> => {
  const started = await firstValueFrom(
    wired.events$.pipe(filter((e) => e.kind === 'listening' || e.kind === 'error')),
  );
  if (started.kind === 'listening') return { ...node, port: started.port };
  await node.close();
  const failure = started as Extract<NodeEvent, { kind: 'error' }>;
  throw new NodeStartError(failure.code, failure.message);
};

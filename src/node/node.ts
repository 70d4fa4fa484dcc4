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
  EMPTY,
  filter,
  firstValueFrom,
  map,
  mergeMap,
  Observable,
  of,
  ReplaySubject,
  Subject,
  type Subscriber,
} from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import type { InputError } from '../codecs/inputs.js';
import { listen$ } from '../streams/tcp.js';
import {
  type Job,
  messageJob,
  probeJob,
  type Report,
  refusedDelivery,
  refusedProbe,
  reportOf,
  retryJob,
  SHUTTING_DOWN,
} from './jobs.js';
import { type PipelineDeps, resolveDeps } from './options.js';
import { parley$ } from './pipeline.js';
import type { DeliveryReport, Destination, SendJob } from './reports.js';
import { initialNodeState, type NodeState, reduceNodeState } from './state.js';
import { type NodeEvent, type NodeOptions, NodeStartError, type ParleyNode } from './types.js';

export type { NodeEvent, NodeOptions, OutboxEntry, ParleyNode } from './types.js';
export { NodeStartError } from './types.js';

const hot = (options: NodeOptions, deps: PipelineDeps) => {
  const jobs$ = new Subject<Job>();
  const contacts$ = new BehaviorSubject<Directory>(deps.directory);
  const stop$ = new ReplaySubject<void>(1);
  const listening = options.listen ?? true;
  const pipeline$ = parley$(
    {
      connections$: listening ? listen$({ port: options.port ?? 0, host: options.host }) : EMPTY,
      jobs$,
      contacts$,
      stop$,
    },
    deps,
  ).pipe(mergeMap((out) => (out.kind === 'view' ? EMPTY : of(out))));
  const events = connectable(pipeline$, {
    connector: () => new Subject<NodeEvent>(),
    resetOnDisconnect: false,
  });
  const state$ = new BehaviorSubject<NodeState>(initialNodeState(deps.directory));
  events.subscribe({
    next: (event) => state$.next(reduceNodeState(state$.value, event)),
    // The pipeline contains every failure; should a bug of ours escape, it is not swallowed.
    error: (err: unknown) => state$.error(err),
    complete: () => state$.complete(),
  });
  return { jobs$, contacts$, stop$, events$: events, state$, connect: () => events.connect() };
};

export const createNode = async (options: NodeOptions): Promise<ParleyNode> => {
  const resolved = resolveDeps(options);
  if (E.isLeft(resolved)) throw resolved.left;
  const deps = resolved.right;
  const wired = hot(options, deps);
  const { events$, state$ } = wired;
  const done = firstValueFrom(events$.pipe(filter(() => false)), { defaultValue: undefined }).then(
    () => undefined,
  );
  let nextJobId = 1;
  let closed = false;

  /**
   * Submit a job when subscribed (cold, as an HTTP request observable is) and emit its one
   * report. Unsubscribing stops listening, not the job: it runs to its end either way. An
   * input that does not decode is refused at once, in a report like any other.
   */
  const submit = <R extends Report>(
    make: (id: number) => E.Either<InputError, Job>,
    refused: (why: string) => R,
  ): Observable<R> =>
    new Observable<R>((subscriber) => {
      const job = make(nextJobId++);
      if (E.isLeft(job) || closed) {
        subscriber.next(refused(E.isLeft(job) ? job.left.message : SHUTTING_DOWN));
        subscriber.complete();
        return;
      }
      const sub = reportOf(events$, job.right.id)
        .pipe(map((e) => e.report))
        .subscribe(subscriber as Subscriber<Report>);
      wired.jobs$.next(job.right);
      return sub;
    });

  const defaults = { group: deps.group, newMsgId: randomUUID };
  const send = (job: SendJob): Observable<DeliveryReport> => {
    const msgId = job.msgId ?? randomUUID();
    return submit(
      (id) => messageJob(id, { ...job, msgId }, defaults),
      (why) => refusedDelivery({ msgId, to: job.to }, why),
    );
  };

  const node: ParleyNode = {
    name: deps.self,
    port: 0,
    events$: events$.pipe(filter(() => true)),
    received$: events$.pipe(
      mergeMap((e) =>
        e.kind === 'incoming' && e.event.kind === 'received'
          ? of({ ...e.event.message, remote: e.remote })
          : EMPTY,
      ),
    ),
    state$: state$.asObservable(),
    send,
    probe: (to, group) =>
      submit(
        (id) => probeJob(id, to, group ?? deps.group),
        (why) => refusedProbe(to, why),
      ),
    outbox: () => state$.value.outbox,
    retry: (msgId, to) =>
      submit(
        (id) => retryJob(id, msgId, to),
        (why) => refusedDelivery({ msgId, to: to ?? NOWHERE }, why),
      ),
    setDirectory: (next) => wired.contacts$.next(next),
    close: async () => {
      if (!closed) {
        closed = true;
        wired.stop$.next();
      }
      return done;
    },
  };

  wired.connect();
  if (!(options.listen ?? true)) return node;
  const started = await firstValueFrom(
    events$.pipe(filter((e) => e.kind === 'listening' || e.kind === 'error')),
  );
  if (started.kind === 'listening') return { ...node, port: started.port };
  await node.close();
  const failure = started as Extract<NodeEvent, { kind: 'error' }>;
  throw new NodeStartError(failure.code, failure.message);
};

const NOWHERE = { username: undefined, host: '', port: 0 };

export type { Destination };

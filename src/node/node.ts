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
  first,
  firstValueFrom,
  map,
  mergeMap,
  Observable,
  of,
  ReplaySubject,
  Subject,
} from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import { decodeDestination, decodeMsgId } from '../codecs/inputs.js';
import { listen$ } from '../streams/tcp.js';
import { type Job, type Report, refusedDelivery, refusedProbe, SHUTTING_DOWN } from './jobs.js';
import { type PipelineDeps, resolveDeps } from './options.js';
import { parley$ } from './pipeline.js';
import type { DeliveryReport, Destination, ProbeReport, SendJob } from './reports.js';
import { initialNodeState, type NodeState, reduceNodeState } from './state.js';
import { type NodeEvent, type NodeOptions, NodeStartError, type ParleyNode } from './types.js';

export type { NodeEvent, NodeOptions, OutboxEntry, ParleyNode } from './types.js';
export { NodeStartError } from './types.js';

/** The report a job gets, taken from the node's events by its id. */
const reportOf = (events$: Observable<NodeEvent>, jobId: number): Observable<Report> =>
  events$.pipe(
    first((e) => (e.kind === 'delivery' || e.kind === 'probe') && e.jobId === jobId),
    map((e) => (e as Extract<NodeEvent, { kind: 'delivery' | 'probe' }>).report),
  );

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
   * report. Unsubscribing stops listening, not the job: it runs to its end either way.
   */
  const submit = <R extends Report>(make: (id: number) => Job | R): Observable<R> =>
    new Observable<R>((subscriber) => {
      const id = nextJobId++;
      const job = make(id);
      if (!('kind' in job) || closed) {
        subscriber.next(('kind' in job ? refusedFor(job, SHUTTING_DOWN) : job) as R);
        subscriber.complete();
        return;
      }
      const sub = reportOf(events$, id).subscribe(subscriber as never);
      wired.jobs$.next(job);
      return sub;
    });

  const send = (job: SendJob): Observable<DeliveryReport> => {
    const msgId = job.msgId ?? randomUUID();
    return submit<DeliveryReport>((id) => {
      const to = decodeDestination(job.to);
      const checkedId = decodeMsgId(msgId);
      if (E.isLeft(to)) return refusedDelivery({ msgId, to: job.to }, to.left.message);
      if (E.isLeft(checkedId))
        return refusedDelivery({ msgId, to: job.to }, checkedId.left.message);
      const group = job.group ?? deps.group;
      return { id, kind: 'message', to: to.right, text: job.text, msgId: checkedId.right, group };
    });
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
      submit<ProbeReport>((id) => {
        const checked = decodeDestination(to);
        if (E.isLeft(checked)) return refusedProbe(to, checked.left.message);
        return { id, kind: 'probe', to: checked.right, group: group ?? deps.group };
      }),
    outbox: () => state$.value.outbox,
    retry: (msgId, to) =>
      submit<DeliveryReport>((id) => {
        if (to === undefined) return { id, kind: 'retry', msgId, to: undefined };
        const checked = decodeDestination(to);
        if (E.isLeft(checked)) return refusedDelivery({ msgId, to }, checked.left.message);
        return { id, kind: 'retry', msgId, to: checked.right };
      }),
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

const refusedFor = (job: Job, why: string): Report =>
  job.kind === 'probe'
    ? refusedProbe(job.to, why)
    : refusedDelivery({ msgId: job.msgId, to: job.to ?? NOWHERE }, why);

const NOWHERE = { username: undefined, host: '', port: 0 };

export type { Destination };

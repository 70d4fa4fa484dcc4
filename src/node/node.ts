/**
 * A running parley peer: one merged pipeline in which every incoming connection is a
 * responder actor and every send or probe job an initiator actor. This is the library's
 * entry point; the console is one of its users.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  asyncScheduler,
  EMPTY,
  first,
  firstValueFrom,
  from,
  merge,
  mergeMap,
  Observable,
  of,
  ReplaySubject,
  race,
  Subject,
  share,
  takeUntil,
  timer,
} from 'rxjs';
import { createDedupeMemory } from '../actors/dedupe.js';
import type { ActorDeps } from '../actors/types.js';
import type { Directory } from '../codecs/directory.js';
import { DEFAULT_GROUP, GROUPS, type Group } from '../codecs/formats.js';
import { createKeyPair } from '../crypto/dh.js';
import { DEFAULT_STEP_DEADLINE_MS } from '../limits.js';
import type { TraceSink } from '../streams/session.js';
import { type Connection, listen$ } from '../streams/tcp.js';
import { createAuthLimiter } from './defences.js';
import { type Admission, respond$ } from './incoming.js';
import {
  createJobBook,
  type OutboxEntry,
  type Report,
  refusal,
  refusedDelivery,
  refusedProbe,
} from './job-book.js';
import { initiate$, type Job, type JobSpec } from './outgoing.js';
import type { DeliveryReport, Destination, ProbeReport, SendJob } from './reports.js';

import {
  type NodeEvent,
  type NodeOptions,
  NodeStartError,
  type ParleyNode,
  type Role,
} from './types.js';

export type { NodeEvent, NodeOptions, OutboxEntry, ParleyNode, Role } from './types.js';
export { NodeStartError } from './types.js';

const realDeps = (over: Partial<ActorDeps> = {}): ActorDeps => ({
  randomBytes,
  now: () => new Date(),
  keyPair: (group, binding) => createKeyPair(group, binding),
  ...over,
});

export const createNode = (options: NodeOptions): Promise<ParleyNode> => {
  const scheduler = options.scheduler ?? asyncScheduler;
  const deps = realDeps(options.deps);
  let directory: Directory = options.directory ?? ([] as unknown as Directory);
  const stepDeadlineMs = options.stepDeadlineMs ?? DEFAULT_STEP_DEADLINE_MS;
  const maxQueued = options.maxQueued ?? 10_000;

  const closing$ = new ReplaySubject<void>(1);
  const jobs$ = new Subject<Job>();
  const events = new Subject<NodeEvent>();
  const open = new Set<Connection>();
  const traceFor = (role: Role, remote: string, jobId?: number): TraceSink | undefined =>
    options.trace
      ? (trace) => events.next({ kind: 'frame', role, remote, jobId, ...trace })
      : undefined;
  let queued = 0;
  let nextJobId = 1;
  let closed = false;

  const incomingContext = {
    self: options.name,
    groups: options.groups ?? GROUPS,
    deps: {
      ...deps,
      lookupSecret: (username: string) => directory.find((c) => c.username === username)?.password,
      lookupGroup: (username: string) => directory.find((c) => c.username === username)?.group,
      dedupe: options.dedupe ?? createDedupeMemory(),
    },
    limiter: createAuthLimiter(options.authLimit),
    maxConnections: options.maxConnections ?? 256,
    maxPerAddress: options.maxConnectionsPerAddress ?? 64,
    perAddress: new Map<string, number>(),
    active: new Map<Connection, Admission>(),
    open,
    traceFor,
    stepDeadlineMs,
    scheduler,
  };

  const listening = options.listen ?? true;
  const server$ = (
    listening ? listen$({ port: options.port ?? 0, host: options.host }) : EMPTY
  ).pipe(takeUntil(closing$), share());
  const pipeline$: Observable<NodeEvent> = merge(
    server$.pipe(
      mergeMap(
        (event): Observable<NodeEvent> =>
          event.kind === 'connection' ? respond$(event.connection, incomingContext) : of(event),
      ),
    ),
    jobs$.pipe(
      mergeMap((job) => {
        queued -= 1;
        return initiate$(job, {
          self: options.name,
          deps,
          stepDeadlineMs,
          scheduler,
          connectTimeoutMs: options.connectTimeoutMs,
          localAddress: options.localAddress,
          open,
          traceFor,
        });
      }, options.maxOutgoing ?? 64),
    ),
  );

  const book = createJobBook();
  // The call's own choice, else the contact's entry, else the node's; never a fallback after.
  const groupFor = (to: Destination, asked: Group | undefined): Group =>
    asked ?? to.group ?? options.group ?? DEFAULT_GROUP;

  const done = new Promise<void>((resolve) => {
    pipeline$.subscribe({
      next: (event) => {
        if (event.kind === 'delivery' || event.kind === 'probe') {
          book.settled(event.jobId, event.report);
        }
        events.next(event);
      },
      complete: () => {
        events.complete();
        resolve();
      },
    });
  });

  /**
   * Queue a job when subscribed (cold, as an HTTP request observable is) and emit its one
   * report. Unsubscribing stops listening, not the job: it runs to its end either way.
   */
  const enqueue = <R extends Report>(
    job: JobSpec,
    refused: (why: string) => R,
    message?: OutboxEntry['job'],
  ): Observable<R> =>
    new Observable<R>((subscriber) => {
      if (closed || queued >= maxQueued) {
        subscriber.next(refused(refusal(closed)));
        subscriber.complete();
        return;
      }
      const id = nextJobId++;
      const waiter = (report: Report) => {
        subscriber.next(report as R);
        subscriber.complete();
      };
      book.opened(id, waiter, message);
      queued += 1;
      jobs$.next({ ...job, id } as Job);
      return () => book.unwatched(id);
    });

  const send = (job: SendJob): Observable<DeliveryReport> => {
    const full = { ...job, msgId: job.msgId ?? randomUUID() };
    return enqueue<DeliveryReport>(
      {
        kind: 'message',
        to: full.to,
        text: full.text,
        msgId: full.msgId,
        group: groupFor(full.to, full.group),
      },
      (why) => {
        const report = refusedDelivery(full, why);
        book.keep(full, report);
        return report;
      },
      full,
    );
  };

  const node: ParleyNode = {
    name: options.name,
    port: 0,
    events$: events.asObservable(),
    received$: events.pipe(
      mergeMap((e) =>
        e.kind === 'incoming' && e.event.kind === 'received'
          ? of({ ...e.event.message, remote: e.remote })
          : [],
      ),
    ),
    send,
    probe: (to, group) =>
      enqueue<ProbeReport>({ kind: 'probe', to, group: groupFor(to, group) }, (why) =>
        refusedProbe(to, why),
      ),
    outbox: () => book.outbox(),
    retry: (msgId, to) => {
      const entry = book.find(msgId);
      if (entry) return send({ ...entry.job, to: to ?? entry.job.to });
      const nothing = { to: to ?? { host: '', port: 0, secret: '' }, text: '', msgId };
      return of(refusedDelivery(nothing, `there is no undelivered message ${msgId}`));
    },
    setDirectory: (next) => {
      directory = next;
    },
    close: async () => {
      if (closed) return done;
      closed = true;
      closing$.next();
      jobs$.complete();
      // firstValueFrom unsubscribes the loser of the race: no timer outlives close().
      await firstValueFrom(race(from(done), timer(options.closeDeadlineMs ?? 5_000)));
      for (const connection of open) connection.destroy();
      return done;
    },
  };

  if (!listening) return Promise.resolve(node);
  return new Promise((resolve, reject) => {
    events.pipe(first((e) => e.kind === 'listening' || e.kind === 'error')).subscribe((e) => {
      if (e.kind === 'listening') {
        resolve({ ...node, port: e.port });
      } else if (e.kind === 'error') {
        void node.close();
        reject(new NodeStartError(e.code, e.message));
      }
    });
  });
};

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
  type SchedulerLike,
  Subject,
  share,
  takeUntil,
  timer,
} from 'rxjs';
import { createDedupeMemory, type DedupeMemory } from '../actors/dedupe.js';
import type { ReceivedMessage, ResponderEvent } from '../actors/responder.js';
import type { ActorDeps } from '../actors/types.js';
import type { Directory } from '../codecs/directory.js';
import type { Group } from '../codecs/formats.js';
import { createKeyPair } from '../crypto/dh.js';
import { DEFAULT_STEP_DEADLINE_MS } from '../limits.js';
import type { FrameTrace, TraceSink } from '../streams/session.js';
import { type Connection, listen$ } from '../streams/tcp.js';
import { type AuthLimitOptions, createAuthLimiter } from './defences.js';
import { type Admission, respond$ } from './incoming.js';
import { initiate$, type Job, type JobSpec } from './outgoing.js';
import type { Address, DeliveryReport, Destination, ProbeReport, SendJob } from './reports.js';

export interface NodeOptions {
  /** Our own username, as contacts know us. */
  readonly name: string;
  /** Our contacts and the secrets we share with them. */
  readonly directory?: Directory;
  /** Listen for incoming messages (default true); a node that only sends can say false. */
  readonly listen?: boolean;
  /** The TCP port to listen on; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  /** The DH group our sends use (both are accepted). */
  readonly group?: Group;
  /** The groups we accept as a responder. */
  readonly groups?: readonly Group[];
  /** Deadline of each protocol step (default 10 s). */
  readonly stepDeadlineMs?: number;
  readonly connectTimeoutMs?: number;
  /** Incoming connections in progress at most; more are answered `busy` (default 256). */
  readonly maxConnections?: number;
  /** Of those, from any one address; so that one address cannot starve others (default 64). */
  readonly maxConnectionsPerAddress?: number;
  /** Outgoing connections at once; more jobs wait in the queue (default 64). */
  readonly maxOutgoing?: number;
  /** Jobs waiting at most; more are refused (default 10,000). */
  readonly maxQueued?: number;
  readonly authLimit?: Partial<AuthLimitOptions>;
  readonly dedupe?: DedupeMemory;
  /** How long `close()` lets connections in progress finish (default 5 s). */
  readonly closeDeadlineMs?: number;
  /** Local address for outgoing connections (tests bind 127.0.0.x). */
  readonly localAddress?: string;
  /** Publish a `frame` event for every frame in and out (types and sizes, never contents). */
  readonly trace?: boolean;
  readonly scheduler?: SchedulerLike;
  readonly deps?: Partial<ActorDeps>;
}

export type NodeEvent =
  | { readonly kind: 'listening'; readonly port: number; readonly host: string }
  | { readonly kind: 'incoming'; readonly event: ResponderEvent; readonly remote: string }
  | { readonly kind: 'refused'; readonly code: 'busy' | 'rate_limited'; readonly remote: string }
  | { readonly kind: 'delivery'; readonly jobId: number; readonly report: DeliveryReport }
  | { readonly kind: 'probe'; readonly jobId: number; readonly report: ProbeReport }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | ({
      readonly kind: 'frame';
      readonly role: Role;
      readonly remote: string;
      /** The send or probe job, for the initiator's frames. */
      readonly jobId?: number;
    } & FrameTrace);

export interface OutboxEntry {
  readonly job: SendJob & { readonly msgId: string };
  readonly report: DeliveryReport;
}

export interface ParleyNode {
  readonly name: string;
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  /** Everything that happens, typed. */
  readonly events$: Observable<NodeEvent>;
  /** Verified incoming messages, each shown once. */
  readonly received$: Observable<ReceivedMessage & { readonly remote: string }>;
  /** Deliver one message; the report comes after a verified ack, or says why not. */
  send(job: SendJob): Observable<DeliveryReport>;
  /** Is the contact there, and do we share the right secret? */
  probe(to: Destination, group?: Group): Observable<ProbeReport>;
  /** Messages not (known to be) delivered, oldest first. */
  outbox(): readonly OutboxEntry[];
  /** Send an undelivered message again, with the same `msg_id` (to a corrected destination). */
  retry(msgId: string, to?: Destination): Observable<DeliveryReport>;
  /** Replace the contacts (after /add, say). */
  setDirectory(directory: Directory): void;
  /** Stop accepting, let exchanges in progress finish within the deadline, release everything. */
  close(): Promise<void>;
}

export type Role = 'initiator' | 'responder';

/** A start-up failure a person can act on (the port is taken, say). */
export class NodeStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NodeStartError';
  }
}

const realDeps = (over: Partial<ActorDeps> = {}): ActorDeps => ({
  randomBytes,
  now: () => new Date(),
  keyPair: (group) => createKeyPair(group),
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
  const outbox = new Map<string, OutboxEntry>();
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
    groups: options.groups ?? (['modp14', 'x25519'] as const),
    deps: {
      ...deps,
      lookupSecret: (username: string) => directory.find((c) => c.username === username)?.password,
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

  /** Message jobs between queueing and their report: what the outbox keeps if they fail. */
  const sending = new Map<number, OutboxEntry['job']>();
  /** Who waits for each job's report (one lookup per report, however many jobs wait). */
  const waiting = new Map<number, (report: DeliveryReport | ProbeReport) => void>();

  // The outbox is kept here, not by the caller's subscription: a failed message is kept
  // even if nobody is listening for its report any more.
  const keepInOutbox = (job: OutboxEntry['job'], report: DeliveryReport) => {
    if (report.outcome === 'delivered') outbox.delete(job.msgId);
    else outbox.set(job.msgId, { job, report });
  };

  const settle = (event: NodeEvent) => {
    if (event.kind !== 'delivery' && event.kind !== 'probe') return;
    const job = sending.get(event.jobId);
    if (job && event.kind === 'delivery') keepInOutbox(job, event.report);
    sending.delete(event.jobId);
    waiting.get(event.jobId)?.(event.report);
    waiting.delete(event.jobId);
  };

  const done = new Promise<void>((resolve) => {
    pipeline$.subscribe({
      next: (event) => {
        settle(event);
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
  const enqueue = <R extends DeliveryReport | ProbeReport>(
    job: JobSpec,
    refused: () => R,
    onQueued: (id: number) => void = () => {},
  ): Observable<R> =>
    new Observable<R>((subscriber) => {
      if (closed || queued >= maxQueued) {
        subscriber.next(refused());
        subscriber.complete();
        return;
      }
      const id = nextJobId++;
      waiting.set(id, (report) => {
        subscriber.next(report as R);
        subscriber.complete();
      });
      queued += 1;
      onQueued(id);
      jobs$.next({ ...job, id } as Job);
      return () => waiting.delete(id);
    });

  const send = (job: SendJob): Observable<DeliveryReport> => {
    const full = { ...job, msgId: job.msgId ?? randomUUID() };
    return enqueue<DeliveryReport>(
      {
        kind: 'message',
        to: full.to,
        text: full.text,
        msgId: full.msgId,
        group: full.group ?? options.group ?? 'modp14',
      },
      () => {
        const report = refusedDelivery(full, closed);
        keepInOutbox(full, report);
        return report;
      },
      (id) => sending.set(id, full),
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
      enqueue<ProbeReport>({ kind: 'probe', to, group: group ?? options.group ?? 'modp14' }, () =>
        refusedProbe(to, closed),
      ),
    outbox: () => [...outbox.values()],
    retry: (msgId, to) => {
      const entry = outbox.get(msgId);
      if (entry) return send({ ...entry.job, to: to ?? entry.job.to });
      const nothing = { to: to ?? { host: '', port: 0, secret: '' }, text: '', msgId };
      return of(refusedDelivery(nothing, false, `there is no undelivered message ${msgId}`));
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

const refusedDelivery = (
  job: SendJob & { msgId: string },
  closed: boolean,
  message = closed
    ? 'parley is shutting down; the message was not sent'
    : 'too many messages are waiting; try again shortly',
): DeliveryReport => {
  const to: Address = { username: job.to.username, host: job.to.host, port: job.to.port };
  return {
    outcome: 'not_delivered',
    msgId: job.msgId,
    to,
    failure: { cause: 'refused', message },
    reason: message,
    elapsedMs: 0,
  };
};

const refusedProbe = (to: Destination, closed: boolean): ProbeReport => {
  const message = closed
    ? 'parley is shutting down'
    : 'too many jobs are waiting; try again shortly';
  return {
    outcome: 'failed',
    to: { username: to.username, host: to.host, port: to.port },
    failure: { cause: 'refused', message },
    reason: message,
    elapsedMs: 0,
  };
};

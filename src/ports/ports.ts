/**
 * Everything outside the process, behind one object: `{ transport, store, clock, random }`.
 * The pipeline, its epics and the actors reach the world only through these, so that a new
 * transport or a new stored file is one adapter, and two whole nodes can talk in a marble
 * test (the memory adapters under RxJS's TestScheduler). As js-libp2p-noise takes its crypto
 * as an interface and redux-observable hands every epic one `dependencies` object.
 */
import type { Either } from 'fp-ts/lib/Either.js';
import type { Observable, SchedulerLike } from 'rxjs';
import type { ProtocolError } from '../codecs/errors.js';
import type { ParleyError } from '../errors.js';
import type { DedupeMemory } from '../node/dedupe.js';
import type { HistoryStore } from '../store/history-store.js';
import type { OutboxStore } from '../store/outbox-file.js';
import type { Line } from '../streams/framing.js';

/** One connection of any transport: lines in, lines out, an end. */
export interface Connection {
  /** The peer's address as the defences key it (an IP address for TCP). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Inbound lines; completes when the peer ends, or the connection fails or closes. */
  readonly lines$: Observable<Either<ProtocolError, Line>>;
  /** Emits once, then completes, when the connection is fully closed; `error` says why if it failed. */
  readonly closed$: Observable<{ error?: string }>;
  /** Write one full line (newline included); completes once the transport has it. */
  send(line: string): Observable<void>;
  /**
   * Write full lines (one or more, newlines included) in one write and go on: writes keep
   * their order, and a write that fails (the peer is gone) surfaces as the end of the
   * connection, which the actor hears.
   */
  write(lines: string): void;
  /** End gracefully, flushing pending writes; destroy after a grace period if the peer lingers. */
  close(): void;
  /** Close at once. */
  destroy(): void;
}

export type ServerEvent =
  | { readonly kind: 'listening'; readonly port: number; readonly host: string }
  | { readonly kind: 'connection'; readonly connection: Connection }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

export interface ListenAt {
  readonly port: number;
  readonly host?: string;
}

export interface ConnectTo {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs?: number;
  readonly localAddress?: string;
}

/** Why no connection could be made: the system's code (ECONNREFUSED, …) and a sentence. */
export type ConnectFailure = ParleyError;

/** How connections are made and taken: TCP (`tcpTransport`), or memory (`memoryNetwork`). */
export interface Transport {
  /**
   * Listen on subscribe: `listening` (with the real port), then a `connection` per peer; an
   * error while starting is an `error` event and completes. Unsubscribing stops accepting.
   */
  readonly listen$: (at: ListenAt) => Observable<ServerEvent>;
  /** Connect on subscribe: exactly one value, a connection or why there is none. */
  readonly connect$: (to: ConnectTo) => Observable<Either<ConnectFailure, Connection>>;
}

/**
 * What a node keeps: the ids of messages it has shown (so a retry shows once), the outbox (so
 * an undelivered message survives a restart) and the history (what was said). The file
 * adapter keeps them in a name's state directory; the memory adapter in RAM.
 */
export interface Store {
  readonly dedupe: DedupeMemory;
  /** None: the outbox lives in memory only, and is lost when the node stops. */
  readonly outbox?: OutboxStore | undefined;
  /** None: nothing said is kept (a received message is written here before its ack). */
  readonly history?: HistoryStore | undefined;
}

/** The one clock: the actors' deadlines and timestamps, retries, the console. */
export type Clock = SchedulerLike;

/** Every random choice: nonces and secrets (CSPRNG), message ids, retry jitter. */
export interface Random {
  /** Cryptographically secure bytes. */
  bytes(size: number): Buffer;
  /** A fresh message id (a UUID, lowercase). */
  uuid(): string;
  /** A number in [0, 1), for jitter (not for secrets). */
  fraction(): number;
}

export interface Ports {
  readonly transport: Transport;
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
}

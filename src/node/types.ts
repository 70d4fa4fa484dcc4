/**
 * The node's public shape: its options, the events it publishes, and what it offers.
 */

import type { Observable } from 'rxjs';
import type { ReceivedMessage, ResponderEvent } from '../actors/responder.js';
import type { Directory } from '../codecs/directory.js';
import type { Group } from '../codecs/formats.js';
import type { KeyPairFactory } from '../crypto/dh.js';
import type { Role } from '../crypto/schedule.js';
import type { ParleyError } from '../errors.js';
import type { ContactSink, InviteEvent, InviteOptions, JoinEvent } from '../invite/types.js';
import type { Ports } from '../ports/ports.js';
import type { FrameTrace } from '../streams/session.js';
import type { DeliverySink } from './dedupe.js';
import type { AuthLimitOptions } from './defences.js';
import type { MessageSummary } from './jobs.js';
import type { DeliveryReport, Destination, ProbeReport, SendJob } from './reports.js';
import type { RetryPolicy } from './retry.js';
import type { NodeState, OutboxEntry } from './state.js';

export type { NodeState, OutboxEntry } from './state.js';

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
  /**
   * The DH group our sends use when the destination's directory entry names none (default
   * cpace-ristretto255). There is no fallback: a peer that refuses it gets nothing else.
   */
  readonly group?: Group;
  /**
   * The groups we accept as a responder (default all three); a contact whose directory entry
   * names a group is held to that one.
   */
  readonly groups?: readonly Group[];
  /** Deadline of each protocol step (default 10 s). */
  readonly stepDeadlineMs?: number;
  /** How long a new incoming connection may take to say hello (default 3 s, at most the step deadline). */
  readonly helloDeadlineMs?: number;
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
  /** When undelivered messages go out again by themselves (see README, "The outbox"). */
  readonly retry?: Partial<RetryPolicy>;
  /** The outbox's caps: messages, and their texts' UTF-8 bytes together. */
  readonly maxOutboxMessages?: number;
  readonly maxOutboxBytes?: number;
  /**
   * Hands each fresh message to its reader before it is acknowledged (a write to stdout, a
   * line on a terminal, your handler): the sender hears "delivered" only once what it returns
   * has completed; if it fails, nothing is acked and the sender tries again. Without it, a
   * message counts as delivered when its `received` event is published.
   */
  readonly deliver?: DeliverySink;
  /** How long `close()` lets connections in progress finish (default 5 s). */
  readonly closeDeadlineMs?: number;
  /** Local address for outgoing connections (tests bind 127.0.0.x). */
  readonly localAddress?: string;
  /** Publish a `frame` event for every frame in and out (types and sizes, never contents). */
  readonly trace?: boolean;
  /**
   * At start, probe the contacts (a few at a time, at most ANNOUNCE_MAX_CONTACTS), so that
   * one holding messages for us sends them now rather than after its backoff (default false).
   */
  readonly announce?: boolean;
  /**
   * One contact's messages one after another, each once the one before it is acknowledged or
   * has failed, so that they arrive in the order written (default true). False: side by side,
   * up to `maxOutgoing` (throughput to one peer; the order they arrive in is not kept).
   */
  readonly inOrder?: boolean;
  /**
   * The world outside the process (see `Ports`): the transport (default TCP), the store
   * (default memory: shown ids for 10 minutes, no outbox on disk), the clock (default RxJS's
   * asyncScheduler) and randomness (default node:crypto's CSPRNG).
   */
  readonly ports?: Partial<Ports>;
  /** Makes each connection's ephemeral key pair (tests give fixed ones for the vectors). */
  readonly keyPair?: KeyPairFactory;
  /**
   * Files a contact an invite made (`invite`, `join`), durably, before the exchange confirms
   * it (the CLI: the directory file). Default: the node's contacts in memory only.
   */
  readonly fileContact?: ContactSink;
}

export type NodeEvent =
  | { readonly kind: 'listening'; readonly port: number; readonly host: string }
  /** Messages kept from an earlier run (the outbox on disk), at start. */
  | { readonly kind: 'restored'; readonly outbox: readonly OutboxEntry[] }
  /** A waiting message its sender removed from the outbox: it is not sent again. */
  | { readonly kind: 'dropped'; readonly msgId: string }
  /**
   * An authenticated contact connected from another address or told another listening port
   * than its entry's: the entry (in memory) now points there, and its waiting messages go.
   */
  | {
      readonly kind: 'moved';
      readonly username: string;
      readonly from: { readonly ip: string; readonly port: number };
      readonly to: { readonly ip: string; readonly port: number };
    }
  /** The contacts changed (the first one at start). */
  | { readonly kind: 'contacts'; readonly directory: Directory }
  /** A job was taken; `message` is what the outbox keeps should it fail (never a secret). */
  | { readonly kind: 'queued'; readonly jobId: number; readonly message?: MessageSummary }
  | { readonly kind: 'incoming'; readonly event: ResponderEvent; readonly remote: string }
  /**
   * A part of a long text arrived and was kept (acknowledged), not shown: `have` of its `n`
   * parts are here. The whole text comes as one `received` once all are (docs/PROTOCOL.md).
   */
  | {
      readonly kind: 'part';
      readonly from: string;
      readonly groupId: string;
      readonly k: number;
      readonly n: number;
      readonly have: number;
      readonly remote: string;
    }
  | { readonly kind: 'refused'; readonly code: 'busy' | 'rate_limited'; readonly remote: string }
  | {
      readonly kind: 'delivery';
      readonly jobId: number;
      readonly report: DeliveryReport;
      /** Not delivered: when it goes out again by itself (scheduler ms). */
      readonly retryAt?: number;
    }
  | { readonly kind: 'probe'; readonly jobId: number; readonly report: ProbeReport }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  /** What the invite opened by job `jobId` is doing (parley-invite/1, the inviter's side). */
  | { readonly kind: 'invite'; readonly jobId: number; readonly event: InviteEvent }
  /** An invite exchange with a joiner ended; what it meant is told as `invite` events. */
  | {
      readonly kind: 'invite_exchange';
      readonly remote: string;
      readonly outcome: 'invite_refused' | 'invite_wrong' | 'invite_joined' | 'invite_failed';
    }
  /** How the join of job `jobId` ended (parley-invite/1, the joiner's side). */
  | { readonly kind: 'join'; readonly jobId: number; readonly event: JoinEvent }
  | ({
      readonly kind: 'frame';
      readonly role: Role;
      readonly remote: string;
      /** The send or probe job, for the initiator's frames. */
      readonly jobId?: number;
    } & FrameTrace);

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
  probe(to: Destination | string, group?: Group): Observable<ProbeReport>;
  /** The node's state (contacts, jobs running, outbox), now and as it changes. */
  readonly state$: Observable<NodeState>;
  /** Messages not (known to be) delivered, oldest first (never their secrets). */
  outbox(): readonly OutboxEntry[];
  /** Send an undelivered message again, with the same `msg_id` (to a corrected destination). */
  retry(msgId: string, to?: Destination): Observable<DeliveryReport>;
  /**
   * Open a one-time invite: `open` with its code first, then what joiners do, until it is
   * `joined`, `burnt`, `expired` or `failed`. Unsubscribing before that cancels it.
   */
  invite(options?: InviteOptions): Observable<InviteEvent>;
  /** Join the invite open at `to` with the code its inviter passed on: one event, its end. */
  join(to: { readonly host: string; readonly port: number }, code: string): Observable<JoinEvent>;
  /** Replace the contacts (after /add, say). */
  setDirectory(directory: Directory): void;
  /** Stop accepting, let exchanges in progress finish within the deadline, release everything. */
  close(): Promise<void>;
}

/** Which side of an exchange we are on (the transcript's word for it). */
export type { Role } from '../crypto/schedule.js';

/** A start-up failure a person can act on (the port is taken, a bad option). */
export class NodeStartError extends Error implements ParleyError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NodeStartError';
  }
}

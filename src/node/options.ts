/**
 * From the options a program gives `createNode` to the pipeline's dependencies: every option
 * decoded (option-codecs.ts: a bad one is a clear start-up error), every default from limits.ts.
 */
import * as E from 'fp-ts/lib/Either.js';
import { asyncScheduler } from 'rxjs';
import type { ActorDeps } from '../actors/types.js';
import { type Directory, decodeDirectory } from '../codecs/directory.js';
import { DEFAULT_GROUP, GROUPS, type Group, type Username } from '../codecs/formats.js';
import { createKeyPair, type KeyPairFactory } from '../crypto/dh.js';
import type { ParleyError } from '../errors.js';
import type { ContactSink } from '../invite/types.js';
import {
  DEFAULT_AUTH_LIMIT,
  DEFAULT_CLOSE_DEADLINE_MS,
  DEFAULT_HELLO_DEADLINE_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_OUTGOING,
  DEFAULT_MAX_QUEUED,
  DEFAULT_STEP_DEADLINE_MS,
  MAX_OUTBOX_BYTES,
  MAX_OUTBOX_MESSAGES,
} from '../limits.js';
import type { Ports } from '../ports/ports.js';
import { cryptoRandom } from '../ports/random.js';
import { memoryStore } from '../store/memory.js';
import { tcpTransport } from '../transport/tcp.js';
import type { DeliverySink } from './dedupe.js';
import type { AuthLimitOptions } from './defences.js';
import { decodeOptions } from './option-codecs.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import type { OutboxCaps } from './state.js';
import { type NodeOptions, NodeStartError } from './types.js';

/** Everything the pipeline needs, resolved: no optional field left to default later. */
export interface PipelineDeps {
  readonly self: Username;
  /** The contacts at start. */
  readonly directory: Directory;
  /** The group our sends use unless a job names one. */
  readonly group: Group;
  /** The groups we accept as a responder. */
  readonly groups: readonly Group[];
  /** The world outside the process: transport, store, clock, randomness. */
  readonly ports: Ports;
  /** The actors' view of the ports (clock and randomness), with the key-pair factory. */
  readonly actor: ActorDeps;
  /** Where a fresh message goes before it is acked; none: the `received` event is enough. */
  readonly deliver: DeliverySink | undefined;
  /** Publish a `frame` event per frame (types and sizes, never contents). */
  readonly trace: boolean;
  /** At start, tell the contacts we are up (a probe each: announce.ts). */
  readonly announce: boolean;
  /** One contact's messages one after another, in the order written (sending.ts, lanes.ts). */
  readonly inOrder: boolean;
  readonly stepDeadlineMs: number;
  /** How long a new incoming connection may take to say hello. */
  readonly helloDeadlineMs: number;
  readonly connectTimeoutMs: number | undefined;
  readonly localAddress: string | undefined;
  readonly maxConnections: number;
  readonly maxPerAddress: number;
  readonly maxOutgoing: number;
  readonly maxQueued: number;
  readonly closeDeadlineMs: number;
  readonly authLimit: AuthLimitOptions;
  readonly retry: RetryPolicy;
  readonly maxOutboxMessages: number;
  readonly maxOutboxBytes: number;
  /** Files a contact an invite made; none: the node's contacts in memory only. */
  readonly fileContact: ContactSink | undefined;
}

/** The actors' view of the ports: the same clock and randomness as the rest of the node. */
const actorDepsOf = (ports: Ports, keyPair: KeyPairFactory): ActorDeps => ({
  randomBytes: ports.random.bytes,
  now: () => new Date(ports.clock.now()),
  keyPair,
});

/** The ports a node is given, the real adapters for the rest. */
export const resolvePorts = (given: Partial<Ports> = {}): Ports => ({
  transport: given.transport ?? tcpTransport(),
  store: given.store ?? memoryStore(),
  clock: given.clock ?? asyncScheduler,
  random: given.random ?? cryptoRandom(),
});

/**
 * The outbox's caps under these options (the defaults of limits.ts where none is given): the
 * node's, and those `send --queue` checks the same outbox against.
 */
export const outboxCapsOf = (
  options: Pick<NodeOptions, 'maxOutboxMessages' | 'maxOutboxBytes'>,
): OutboxCaps => ({
  maxMessages: options.maxOutboxMessages ?? MAX_OUTBOX_MESSAGES,
  maxBytes: options.maxOutboxBytes ?? MAX_OUTBOX_BYTES,
});

const startError = (e: ParleyError): NodeStartError => new NodeStartError(e.code, e.message);

/**
 * Decode every option (a bad one is refused with its field and the reason, code `bad_option`),
 * then fill in the defaults of limits.ts: here, and nowhere else.
 */
export const resolveDeps = (options: NodeOptions): E.Either<NodeStartError, PipelineDeps> => {
  const decoded = decodeOptions(options);
  if (E.isLeft(decoded)) return E.left(startError(decoded.left));
  // A plain array is accepted as a directory and decoded, with the file's own sentences.
  const directory = decodeDirectory(options.directory ?? [], 'option directory');
  if (E.isLeft(directory)) return E.left(new NodeStartError('bad_option', directory.left.message));
  const o = decoded.right;
  const caps = outboxCapsOf(o);
  const ports = resolvePorts(o.ports);
  return E.right({
    self: o.name,
    directory: directory.right,
    group: o.group ?? DEFAULT_GROUP,
    groups: o.groups ?? GROUPS,
    ports,
    actor: actorDepsOf(ports, o.keyPair ?? createKeyPair),
    deliver: o.deliver,
    trace: o.trace ?? false,
    announce: o.announce ?? false,
    inOrder: o.inOrder ?? true,
    stepDeadlineMs: o.stepDeadlineMs ?? DEFAULT_STEP_DEADLINE_MS,
    helloDeadlineMs: o.helloDeadlineMs ?? DEFAULT_HELLO_DEADLINE_MS,
    connectTimeoutMs: o.connectTimeoutMs,
    localAddress: o.localAddress,
    maxConnections: o.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    maxPerAddress: o.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    maxOutgoing: o.maxOutgoing ?? DEFAULT_MAX_OUTGOING,
    maxQueued: o.maxQueued ?? DEFAULT_MAX_QUEUED,
    closeDeadlineMs: o.closeDeadlineMs ?? DEFAULT_CLOSE_DEADLINE_MS,
    authLimit: { ...DEFAULT_AUTH_LIMIT, ...o.authLimit },
    retry: { ...DEFAULT_RETRY_POLICY, ...o.retry },
    maxOutboxMessages: caps.maxMessages,
    maxOutboxBytes: caps.maxBytes,
    fileContact: o.fileContact,
  });
};

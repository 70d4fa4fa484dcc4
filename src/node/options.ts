/**
 * From the options a program gives `createNode` to the pipeline's dependencies: inputs
 * decoded (a bad name is a clear start-up error), every default from limits.ts.
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { asyncScheduler } from 'rxjs';
import type { ActorDeps } from '../actors/types.js';
import { Directory } from '../codecs/directory.js';
import { DEFAULT_GROUP, GROUPS, type Group, type Username } from '../codecs/formats.js';
import { decodeName } from '../codecs/inputs.js';
import { describeErrors } from '../codecs/report.js';
import { createKeyPair, type KeyPairFactory } from '../crypto/dh.js';
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
import type { AuthLimitOptions } from './defences.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
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
  /** Publish a `frame` event per frame (types and sizes, never contents). */
  readonly trace: boolean;
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

const badOption = (message: string) => new NodeStartError('bad_option', message);

/** A plain array is accepted as a directory and decoded, with the file's clear errors. */
const decodeDirectory = (value: unknown): E.Either<NodeStartError, Directory> =>
  E.mapLeft((errors: t.Errors) => badOption(`directory: ${describeErrors(errors)}`))(
    Directory.decode(value ?? []),
  );

export const resolveDeps = (options: NodeOptions): E.Either<NodeStartError, PipelineDeps> => {
  const name = E.mapLeft((e: { message: string }) => badOption(e.message))(
    decodeName(options.name),
  );
  const directory = decodeDirectory(options.directory);
  if (E.isLeft(name)) return name;
  if (E.isLeft(directory)) return directory;
  const ports = resolvePorts(options.ports);
  return E.right({
    self: name.right,
    directory: directory.right,
    group: options.group ?? DEFAULT_GROUP,
    groups: options.groups ?? GROUPS,
    ports,
    actor: actorDepsOf(ports, options.keyPair ?? createKeyPair),
    trace: options.trace ?? false,
    stepDeadlineMs: options.stepDeadlineMs ?? DEFAULT_STEP_DEADLINE_MS,
    helloDeadlineMs: options.helloDeadlineMs ?? DEFAULT_HELLO_DEADLINE_MS,
    connectTimeoutMs: options.connectTimeoutMs,
    localAddress: options.localAddress,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    maxPerAddress: options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    maxOutgoing: options.maxOutgoing ?? DEFAULT_MAX_OUTGOING,
    maxQueued: options.maxQueued ?? DEFAULT_MAX_QUEUED,
    closeDeadlineMs: options.closeDeadlineMs ?? DEFAULT_CLOSE_DEADLINE_MS,
    authLimit: { ...DEFAULT_AUTH_LIMIT, ...options.authLimit },
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    maxOutboxMessages: options.maxOutboxMessages ?? MAX_OUTBOX_MESSAGES,
    maxOutboxBytes: options.maxOutboxBytes ?? MAX_OUTBOX_BYTES,
  });
};

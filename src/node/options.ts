/**
 * From the options a program gives `createNode` to the pipeline's dependencies: inputs
 * decoded (a bad name is a clear start-up error), every default from limits.ts.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { ActorDeps } from '../actors/types.js';
import { Directory } from '../codecs/directory.js';
import { DEFAULT_GROUP, GROUPS, type Group, type Username } from '../codecs/formats.js';
import { decodeName } from '../codecs/inputs.js';
import { describeErrors } from '../codecs/report.js';
import { createKeyPair } from '../crypto/dh.js';
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
import { createDedupeMemory, type DedupeMemory, type DeliverySink } from './dedupe.js';
import type { AuthLimitOptions } from './defences.js';
import type { OutboxStore } from './outbox-file.js';
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
  readonly actor: ActorDeps;
  readonly dedupe: DedupeMemory;
  /** Where a fresh message goes before it is acked; none: the `received` event is enough. */
  readonly deliver: DeliverySink | undefined;
  readonly scheduler: SchedulerLike;
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
  /** Where the outbox is kept across runs; none: in memory only. */
  readonly outboxStore: OutboxStore | undefined;
}

/**
 * CSPRNG bytes handed out from a pool that `randomFillSync` refills, as Node's own
 * `randomUUID` does: a nonce costs a copy instead of a call into OpenSSL. Every byte is used
 * once; each caller gets a copy of its own.
 */
export const pooledRandomBytes = (poolBytes = 4096) => {
  const pool = Buffer.alloc(poolBytes);
  let used = poolBytes;
  return (size: number): Buffer => {
    if (size > poolBytes) return randomBytes(size);
    if (used + size > poolBytes) {
      randomFillSync(pool);
      used = 0;
    }
    const out = Buffer.from(pool.subarray(used, used + size));
    used += size;
    return out;
  };
};

const realActorDeps = (over: Partial<ActorDeps> = {}): ActorDeps => ({
  randomBytes: pooledRandomBytes(),
  now: () => new Date(),
  keyPair: (group, binding) => createKeyPair(group, binding),
  ...over,
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
  return E.right({
    self: name.right,
    directory: directory.right,
    group: options.group ?? DEFAULT_GROUP,
    groups: options.groups ?? GROUPS,
    actor: realActorDeps(options.deps),
    dedupe: options.dedupe ?? createDedupeMemory(),
    deliver: options.deliver,
    scheduler: options.scheduler ?? asyncScheduler,
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
    outboxStore: options.outboxStore,
  });
};

/**
 * From the options a program gives `createNode` to the pipeline's dependencies: every option
 * decoded (option-codecs.ts: a bad one is a clear start-up error), every default from limits.ts.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { ActorDeps } from '../actors/types.js';
import { type Directory, decodeDirectory } from '../codecs/directory.js';
import { DEFAULT_GROUP, GROUPS, type Group, type Username } from '../codecs/formats.js';
import { createKeyPair } from '../crypto/dh.js';
import type { ParleyError } from '../errors.js';
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
import { createDedupeMemory, type DedupeMemory } from './dedupe.js';
import type { AuthLimitOptions } from './defences.js';
import { decodeOptions } from './option-codecs.js';
import type { OutboxStore } from './outbox-file.js';
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
  readonly actor: ActorDeps;
  readonly dedupe: DedupeMemory;
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
  return E.right({
    self: o.name,
    directory: directory.right,
    group: o.group ?? DEFAULT_GROUP,
    groups: o.groups ?? GROUPS,
    actor: realActorDeps(o.deps),
    dedupe: o.dedupe ?? createDedupeMemory(),
    scheduler: o.scheduler ?? asyncScheduler,
    trace: o.trace ?? false,
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
    outboxStore: o.outboxStore,
  });
};

/**
 * The receiving peer, in a process of its own: a real parley node on 127.0.0.1 that lists
 * the sender as a contact, counts what happens to it, and measures its own memory.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Directory, NodeEvent, ParleyNode } from '../src/index.js';
import {
  LOCALHOST,
  RECEIVER,
  RECEIVER_MAX_CONNECTIONS,
  RECEIVER_STEP_DEADLINE_MS,
  SECRET,
  SENDER,
} from './config.js';
import { startHeapSampling, takeHeapSample } from './heap-sample.js';
import { serve } from './ipc.js';
import { loadParley } from './parley.js';

const parley = await loadParley();

/** What the receiver saw, by kind: messages shown, duplicates, rejections, refusals. */
const counts = { received: 0, duplicate: 0, rejected: 0, refused: 0 };
/** Why connections were rejected or refused, by error code or cause, to explain any. */
const why: Record<string, number> = {};
let node: ParleyNode | undefined;

const directory = (): Directory => {
  const text = JSON.stringify([{ username: SENDER, password: SECRET, port: 1, ip: LOCALHOST }]);
  return E.getOrElseW((e: { message: string }) => {
    throw new Error(e.message);
  })(parley.parseDirectory(text));
};

const tally = (reason: string) => {
  why[reason] = (why[reason] ?? 0) + 1;
};

const count = (event: NodeEvent): void => {
  if (event.kind === 'refused') {
    counts.refused += 1;
    tally(`refused ${event.code}`);
  }
  if (event.kind !== 'incoming') return;
  const e = event.event;
  if (e.kind === 'received' || e.kind === 'duplicate' || e.kind === 'rejected') counts[e.kind] += 1;
  if (e.kind === 'rejected') {
    tally(`rejected at ${e.step}: ${'code' in e.failure ? e.failure.code : e.failure.cause}`);
  }
};

const collectGarbage = (globalThis as { gc?: () => void }).gc;

/** Memory after a full collection (the parent starts us with --expose-gc), in KiB. */
const settledMemory = () => {
  collectGarbage?.();
  collectGarbage?.();
  const m = process.memoryUsage();
  return { rssKiB: m.rss / 1024, heapUsedKiB: m.heapUsed / 1024, externalKiB: m.external / 1024 };
};

const api = {
  start: async () => {
    node = await parley.createNode({
      name: RECEIVER,
      host: LOCALHOST,
      port: 0,
      directory: directory(),
      // Every bench connection comes from 127.0.0.1: the per-address cap must not be what
      // limits 64 concurrent senders or the held connections.
      maxConnections: RECEIVER_MAX_CONNECTIONS,
      maxConnectionsPerAddress: RECEIVER_MAX_CONNECTIONS,
      stepDeadlineMs: RECEIVER_STEP_DEADLINE_MS,
    });
    node.events$.subscribe(count);
    return { port: node.port };
  },
  memory: async () => settledMemory(),
  /** Sample allocations from now on (bench/heap.ts: what held connections keep alive). */
  startHeapSampling: async () => {
    collectGarbage?.();
    await startHeapSampling();
  },
  heapSample: async ({ depth }: { depth: number }) => {
    collectGarbage?.();
    return takeHeapSample(depth);
  },
  /** maxRSS is the kernel's high-water mark of this process, in KiB. */
  stats: async () => ({ ...counts, why, peakRssKiB: process.resourceUsage().maxRSS }),
  exit: async () => {
    await node?.close();
  },
};

export type ReceiverApi = typeof api;

serve(api);

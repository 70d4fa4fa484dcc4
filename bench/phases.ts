/**
 * The bench's phases, each a sequence of calls to the child processes. Nothing here touches a
 * socket: the children do the work, the phases only say what to run and collect the results.
 */
import type { Group } from '../src/index.js';
import type { Child } from './children.js';
import {
  CONCURRENCY,
  DH_WARMUP_MS,
  DH_WINDOW_MS,
  HELD_CONNECTIONS,
  HOLD_BATCH,
  LATENCY_COUNT,
  LOCALHOST,
  MEMORY_WARMUP_DELIVERIES,
  RECEIVER,
  RUN_MAX_ATTEMPTS,
  RUN_REPEATS,
  RUN_WARMUP_MS,
  RUN_WINDOW_MS,
  SENDER,
  TEXT_BYTES,
  WARMUP_CONCURRENT_MS,
  WARMUP_SEQUENTIAL,
} from './config.js';
import type { DhMode, DhWorkerApi } from './dh-worker.js';
import { exchangeLines } from './frames.js';
import type { LoadShape, Rate, Samples } from './load.js';
import type { PlainClientApi } from './plain-client.js';
import type { PlainServerApi } from './plain-server.js';
import type { ReceiverApi } from './receiver.js';
import type { SenderApi } from './sender.js';
import { median, sum } from './stats.js';

export type Concurrency = `${(typeof CONCURRENCY)[number]}`;

/** The long-lived processes: the two parley peers and the two plain TCP ends. */
export interface Fleet {
  readonly receiver: Child<ReceiverApi>;
  readonly sender: Child<SenderApi>;
  readonly plainServer: Child<PlainServerApi>;
  readonly plainClient: Child<PlainClientApi>;
  readonly receiverPort: number;
  readonly plainPort: number;
}

/** Everything measured for one group, before it is turned into figures. */
export interface GroupRun {
  readonly latency: Samples;
  readonly tcpLatency: Samples;
  readonly throughput: Readonly<Record<Concurrency, Rate>>;
  readonly tcpThroughput: Readonly<Record<Concurrency, Rate>>;
  /** Parley sends that were not delivered, warm-ups included. */
  readonly failures: number;
  /** Parley sends that were delivered, warm-ups included (the receiver must agree). */
  readonly delivered: number;
  readonly reasons: readonly string[];
  /** Plain TCP exchanges that did not complete (a baseline that fails is no baseline). */
  readonly tcpFailures: number;
}

export interface MemoryRun {
  readonly idle: { rssKiB: number; heapUsedKiB: number };
  readonly holding: { rssKiB: number; heapUsedKiB: number };
  readonly held: number;
  /** The memory receiver's own high-water mark. */
  readonly peakRssKiB: number;
}

export type Progress = (line: string) => void;

const shape = (concurrency: number, warmupMs = RUN_WARMUP_MS, windowMs = RUN_WINDOW_MS) =>
  ({ concurrency, warmupMs, windowMs, maxAttempts: RUN_MAX_ATTEMPTS }) satisfies LoadShape;

/** Deliveries per second that DH alone allows: one worker per core, all at once, rates added. */
export const measureDhBound = async (
  group: Group,
  mode: DhMode,
  workers: readonly Child<DhWorkerApi>[],
): Promise<number> => {
  const args = { group, mode, warmupMs: DH_WARMUP_MS, windowMs: DH_WINDOW_MS };
  const rates = await Promise.all(workers.map((w) => w.call('rate', args)));
  return sum(rates.map((r) => r.perSecond));
};

const attemptsOf = (r: Samples | Rate): number =>
  'samplesMs' in r ? r.samplesMs.length + r.failures : r.attempts;

/** Warm both paths up, then measure latency and each concurrency, parley then plain TCP. */
export const measureGroup = async (
  group: Group,
  fleet: Fleet,
  progress: Progress,
): Promise<GroupRun> => {
  const { sender, plainClient, plainServer, plainPort } = fleet;
  const lines = exchangeLines(group, { initiator: SENDER, responder: RECEIVER }, TEXT_BYTES);
  await plainServer.call('configure', { lines: lines.responder });
  const plain = { port: plainPort, lines: [...lines.initiator] };

  progress(`${group}: warming up`);
  const warmupShape = shape(Math.max(...CONCURRENCY), 0, WARMUP_CONCURRENT_MS);
  const warmups = [
    await sender.call('latency', { group, count: WARMUP_SEQUENTIAL }),
    await sender.call('throughput', { group, shape: warmupShape }),
  ];
  const tcpWarmups = [
    await plainClient.call('latency', { ...plain, count: WARMUP_SEQUENTIAL }),
    await plainClient.call('throughput', { ...plain, shape: warmupShape }),
  ];

  progress(`${group}: latency, ${LATENCY_COUNT} deliveries one after another`);
  const latency = await sender.call('latency', { group, count: LATENCY_COUNT });
  const tcpLatency = await plainClient.call('latency', { ...plain, count: LATENCY_COUNT });

  const throughput = {} as Record<Concurrency, Rate>;
  const tcpThroughput = {} as Record<Concurrency, Rate>;
  const allRuns: Rate[] = [];
  const allTcpRuns: Rate[] = [];
  for (const c of CONCURRENCY) {
    progress(`${group}: throughput with ${c} concurrent senders, ${RUN_REPEATS} runs each`);
    const runs: Rate[] = [];
    const tcpRuns: Rate[] = [];
    for (let i = 0; i < RUN_REPEATS; i += 1) {
      runs.push(await sender.call('throughput', { group, shape: shape(c) }));
      tcpRuns.push(await plainClient.call('throughput', { ...plain, shape: shape(c) }));
    }
    throughput[`${c}`] = median(runs, (r) => r.perSecond);
    tcpThroughput[`${c}`] = median(tcpRuns, (r) => r.perSecond);
    allRuns.push(...runs);
    allTcpRuns.push(...tcpRuns);
  }

  const parleyRuns = [...warmups, latency, ...allRuns];
  const failures = sum(parleyRuns.map((r) => r.failures));
  return {
    latency,
    tcpLatency,
    throughput,
    tcpThroughput,
    failures,
    delivered: sum(parleyRuns.map(attemptsOf)) - failures,
    reasons: [...new Set(parleyRuns.flatMap((r) => r.reasons))],
    tcpFailures: sum([...tcpWarmups, tcpLatency, ...allTcpRuns].map((r) => r.failures)),
  };
};

/**
 * A fresh receiver's memory idle, then holding connections mid-handshake. Fresh, so that the
 * load before does not blur the difference; warmed by a few deliveries, so that the code
 * the held connections run is already loaded and compiled.
 */
export const measureMemory = async (
  receiver: Child<ReceiverApi>,
  sender: Child<SenderApi>,
  groups: readonly Group[],
  progress: Progress,
): Promise<MemoryRun> => {
  progress(`memory: ${HELD_CONNECTIONS} connections held open mid-handshake`);
  const { port } = await receiver.call('start');
  await sender.call('aim', { port });
  for (const group of groups) {
    const warm = await sender.call('latency', { group, count: MEMORY_WARMUP_DELIVERIES });
    if (warm.failures > 0) throw new Error(`memory warm-up: ${warm.reasons.join('; ')}`);
  }
  const idle = await receiver.call('memory');
  const { held } = await sender.call('hold', {
    port,
    host: LOCALHOST,
    from: SENDER,
    to: RECEIVER,
    count: HELD_CONNECTIONS,
    batch: HOLD_BATCH,
  });
  const holding = await receiver.call('memory');
  await sender.call('release');
  const { peakRssKiB } = await receiver.call('stats');
  return { idle, holding, held, peakRssKiB };
};

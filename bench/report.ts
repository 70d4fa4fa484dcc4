/**
 * From measurements to figures: the JSON object of issue 5 and the table a person reads.
 * Pure functions; the goals are the issue's.
 */
import type { Group } from '../src/index.js';
import type { Concurrency, GroupRun, MemoryRun } from './phases.js';
import { argMax, percentile, round } from './stats.js';

export interface LatencyFigure {
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
}

export interface GroupFigures {
  readonly latency_ms: LatencyFigure;
  readonly throughput: Readonly<Record<Concurrency, number>>;
  /** DH alone, on all cores: the fastest arithmetic measured, no encoding (docs/PERFORMANCE.md). */
  readonly dh_bound_per_s: number;
  /** Plain TCP, same connections, round trips and sizes, at the best throughput's concurrency. */
  readonly tcp_bound_per_s: number;
  /** Best throughput ÷ min(dh_bound_per_s, tcp_bound_per_s): issue 5's figure. */
  readonly ratio: number;
  readonly best_concurrency: Concurrency;
  /** DH through parley's own createKeyPair (wire encoding included), on all cores. */
  readonly dh_parley_per_s: number;
  /** DH and TCP costs added on the same cores: no implementation can deliver more. */
  readonly ceiling_per_s: number;
  readonly tcp_throughput: Readonly<Record<Concurrency, number>>;
  readonly tcp_latency_ms: LatencyFigure;
  readonly tcp_failures: number;
}

export interface MemoryFigures {
  /** The higher of the two receivers' high-water marks (under load; holding connections). */
  readonly peak_rss_mib: number;
  /** RSS growth per connection held mid-handshake, in a fresh receiver, after a full GC. */
  readonly rss_per_connection_kib: number;
  readonly heap_per_connection_kib: number;
  readonly connections_held: number;
  readonly load_peak_rss_mib: number;
  readonly rss_idle_mib: number;
  readonly rss_holding_mib: number;
}

export interface Figures {
  readonly groups: Readonly<Partial<Record<Group, GroupFigures>>>;
  readonly memory: MemoryFigures;
  readonly failures: number;
  readonly receiver: { received: number; duplicate: number; rejected: number; refused: number };
  readonly machine: {
    cores: number;
    cpu: string;
    node: string;
    /** Other work on the machine when the bench started (1-minute load average). */
    load_average: number;
  };
  readonly elapsed_s: number;
}

/** Issue 5's goals, for the two groups it knew. */
export const GOALS: Readonly<Partial<Record<Group, { ratio: number; p50Ms: number }>>> = {
  modp14: { ratio: 0.6, p50Ms: 3 },
  x25519: { ratio: 0.5, p50Ms: 1.5 },
};
/** Issue 11: a CPace delivery one at a time takes at most this many times x25519's. */
export const CPACE_LATENCY_FACTOR = 2;
export const GOAL_KIB_PER_CONNECTION = 20;

const latencyFigure = (samplesMs: readonly number[]): LatencyFigure => ({
  p50: round(percentile(samplesMs, 50), 3),
  p99: round(percentile(samplesMs, 99), 3),
  n: samplesMs.length,
});

const perSecond = (runs: GroupRun['throughput']): Record<Concurrency, number> => {
  const out = {} as Record<Concurrency, number>;
  for (const [c, r] of Object.entries(runs)) out[c as Concurrency] = round(r.perSecond);
  return out;
};

/** Deliveries per second that the DH work allows, on all cores, measured two ways. */
export interface DhBounds {
  readonly floor: number;
  readonly parley: number;
}

/** Two costs paid on the same cores add up: 1 / (1/a + 1/b). */
const combined = (a: number, b: number): number => 1 / (1 / a + 1 / b);

export const groupFigures = (run: GroupRun, dh: DhBounds): GroupFigures => {
  const throughput = perSecond(run.throughput);
  const tcpThroughput = perSecond(run.tcpThroughput);
  const best = argMax(throughput);
  const tcpBound = tcpThroughput[best];
  return {
    latency_ms: latencyFigure(run.latency.samplesMs),
    throughput,
    dh_bound_per_s: round(dh.floor),
    tcp_bound_per_s: tcpBound,
    ratio: round(throughput[best] / Math.min(dh.floor, tcpBound), 3),
    best_concurrency: best,
    dh_parley_per_s: round(dh.parley),
    ceiling_per_s: round(combined(dh.floor, tcpBound)),
    tcp_throughput: tcpThroughput,
    tcp_latency_ms: latencyFigure(run.tcpLatency.samplesMs),
    tcp_failures: run.tcpFailures,
  };
};

const MIB = 1024;

export const memoryFigures = (run: MemoryRun, loadPeakRssKiB: number): MemoryFigures => ({
  peak_rss_mib: round(Math.max(loadPeakRssKiB, run.peakRssKiB) / MIB, 1),
  rss_per_connection_kib: round((run.holding.rssKiB - run.idle.rssKiB) / run.held, 2),
  heap_per_connection_kib: round((run.holding.heapUsedKiB - run.idle.heapUsedKiB) / run.held, 2),
  connections_held: run.held,
  load_peak_rss_mib: round(loadPeakRssKiB / MIB, 1),
  rss_idle_mib: round(run.idle.rssKiB / MIB, 1),
  rss_holding_mib: round(run.holding.rssKiB / MIB, 1),
});

const mark = (ok: boolean): string => (ok ? 'met' : 'NOT MET');

const row = (label: string, cells: readonly (string | number)[]): string =>
  label.padEnd(38) + cells.map((c) => String(c).padStart(20)).join('');

/** Issue 11's goal, when both groups were measured. */
const cpaceGoalLines = (figures: Figures): string[] => {
  const cpace = figures.groups['cpace-ristretto255'];
  const x25519 = figures.groups.x25519;
  if (cpace === undefined || x25519 === undefined) return [];
  const bound = round(CPACE_LATENCY_FACTOR * x25519.latency_ms.p50, 3);
  return [
    `goal (issue 11): cpace-ristretto255 p50 ${cpace.latency_ms.p50} ms <= ` +
      `${CPACE_LATENCY_FACTOR} × x25519 p50 = ${bound} ms ${mark(cpace.latency_ms.p50 <= bound)}`,
  ];
};

const goalLines = (figures: Figures, groups: readonly Group[]): string[] => {
  const m = figures.memory;
  return [
    ...cpaceGoalLines(figures),
    'goals (issue 5):',
    ...groups.flatMap((g) => {
      const f = figures.groups[g]!;
      const goal = GOALS[g];
      if (goal === undefined) return [];
      const most = round(f.ceiling_per_s / Math.min(f.dh_bound_per_s, f.tcp_bound_per_s), 2);
      return (
        `  ${g}: ratio ${f.ratio} >= ${goal.ratio} ${mark(f.ratio >= goal.ratio)} ` +
        `(at most ${most} here); p50 ${f.latency_ms.p50} ms < ${goal.p50Ms} ms ` +
        mark(f.latency_ms.p50 < goal.p50Ms)
      );
    }),
    `  RSS per connection in progress ${m.rss_per_connection_kib} KiB < ` +
      `${GOAL_KIB_PER_CONNECTION} KiB ${mark(m.rss_per_connection_kib < GOAL_KIB_PER_CONNECTION)}`,
    `  failures ${figures.failures} = 0 ${mark(figures.failures === 0)}`,
  ];
};

/** The table for people: one column per group, then memory, failures and the goals. */
export const renderTable = (figures: Figures): string => {
  const groups = Object.keys(figures.groups) as Group[];
  const cell = (pick: (g: GroupFigures) => string | number) =>
    groups.map((g) => pick(figures.groups[g]!));
  const cs = Object.keys(figures.groups[groups[0]!]?.throughput ?? {}) as Concurrency[];
  const { machine: mc, memory: m } = figures;
  return [
    `parley bench: ${mc.cores} cores (${mc.cpu}), Node ${mc.node}, load ${mc.load_average} ` +
      `at start, 127.0.0.1, ${figures.elapsed_s} s`,
    '',
    row('', groups),
    row(
      'latency p50 / p99 (ms)',
      cell((g) => `${g.latency_ms.p50} / ${g.latency_ms.p99}`),
    ),
    ...cs.map((c) =>
      row(
        `throughput, ${c} senders (msg/s)`,
        cell((g) => g.throughput[c]),
      ),
    ),
    row(
      'plain TCP latency p50 / p99 (ms)',
      cell((g) => `${g.tcp_latency_ms.p50} / ${g.tcp_latency_ms.p99}`),
    ),
    ...cs.map((c) =>
      row(
        `plain TCP, ${c} senders (/s)`,
        cell((g) => g.tcp_throughput[c]),
      ),
    ),
    row(
      'DH bound, fastest arithmetic (/s)',
      cell((g) => g.dh_bound_per_s),
    ),
    row(
      "DH through parley's createKeyPair (/s)",
      cell((g) => g.dh_parley_per_s),
    ),
    row(
      'TCP bound, at best concurrency (/s)',
      cell((g) => g.tcp_bound_per_s),
    ),
    row(
      'ceiling, DH + TCP on same cores (/s)',
      cell((g) => g.ceiling_per_s),
    ),
    row(
      'ratio = best / min(DH, TCP)',
      cell((g) => g.ratio),
    ),
    '',
    `receiver peak RSS ${m.peak_rss_mib} MiB (${m.load_peak_rss_mib} MiB under load); ` +
      `${m.connections_held} connections mid-handshake: ${m.rss_idle_mib} -> ${m.rss_holding_mib} MiB, ` +
      `${m.rss_per_connection_kib} KiB RSS (${m.heap_per_connection_kib} KiB JS heap) each`,
    `failures: ${figures.failures} (receiver: ${figures.receiver.received} received, ` +
      `${figures.receiver.rejected} rejected, ${figures.receiver.refused} refused)`,
    '',
    ...goalLines(figures, groups),
  ].join('\n');
};

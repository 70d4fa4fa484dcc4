/**
 * `npm run bench`: how fast parley delivers, against what its DH and plain TCP allow, on this
 * machine, in under three minutes. The sender and the receiver are real parley nodes in processes
 * of their own; plain TCP and DH are measured in the same run, in processes of their own.
 *
 *   npm run bench                    the table
 *   npm run bench -- --json          the table, then the figures as one JSON line (last)
 *   npm run bench -- --profile       also CPU-profile the sender and the receiver
 *   npm run bench -- --group x25519  one group only (for profiling; the JSON then lacks one)
 *   npm run bench -- --peers         instead: parley against Noise NNpsk0 and TLS 1.2 ECDHE-PSK
 *                                    (bench/peers.ts; --json works with it, --profile does not)
 *   npm run bench -- --rtt           instead: round trips per delivery through a delaying proxy,
 *                                    parley's groups in both orders, Noise and TLS (bench/rtt.ts)
 */
import { mkdtempSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Group } from '../src/index.js';
import { killAll, startChild, whenChildLost } from './children.js';
import { BENCH_TIME_LIMIT_MS, GROUPS, PEER_CONCURRENCY } from './config.js';
import type { DhWorkerApi } from './dh-worker.js';
import { measurePeers } from './peers.js';
import { peerFigures, renderPeers } from './peers-report.js';
import {
  type Fleet,
  type GroupRun,
  measureDhBound,
  measureGroup,
  measureMemory,
} from './phases.js';
import type { PlainClientApi } from './plain-client.js';
import type { PlainServerApi } from './plain-server.js';
import { profilePaths, readProfile, renderSummary, summarise } from './profile.js';
import type { ReceiverApi } from './receiver.js';
import {
  type DhBounds,
  type Figures,
  type GroupFigures,
  groupFigures,
  memoryFigures,
  renderTable,
} from './report.js';
import { measureRtt, renderRtt } from './rtt.js';
import type { SenderApi } from './sender.js';
import { round, sum } from './stats.js';

interface Options {
  readonly json: boolean;
  readonly profile: boolean;
  readonly peers: boolean;
  readonly groups: readonly Group[];
}

const parseOptions = (argv: readonly string[]): Options => {
  const at = argv.indexOf('--group');
  const only = at === -1 ? undefined : argv[at + 1];
  if (only !== undefined && !GROUPS.includes(only as Group)) {
    throw new Error(`--group takes one of ${GROUPS.join(', ')}`);
  }
  const peers = argv.includes('--peers');
  if (peers && (argv.includes('--profile') || only !== undefined)) {
    throw new Error('--peers runs on its own: without --profile or --group');
  }
  return {
    json: argv.includes('--json'),
    profile: argv.includes('--profile'),
    peers,
    groups: only === undefined ? GROUPS : [only as Group],
  };
};

const progress = (line: string) => console.error(`bench: ${line}`);

/**
 * --cpu-prof for a role, when profiling: a directory per role, because every thread of a
 * process writes its own profile there (tsx's loader runs in a thread of its own).
 */
const profileArgs = (dir: string | undefined, role: string): string[] =>
  dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, role)}`] : [];

const PROFILED_ROLES = ['receiver', 'sender'];

/**
 * DH first, with nothing else running: one worker per core, all at once; with the fastest
 * arithmetic measured (the bound) and through parley's createKeyPair (what parley's DH code
 * allows today).
 */
const measureDhBounds = async (groups: readonly Group[]): Promise<Map<Group, DhBounds>> => {
  const cores = availableParallelism();
  progress(`DH bound: ${cores} workers, one per core`);
  const workers = Array.from({ length: cores }, (_, i) =>
    startChild<DhWorkerApi>(`dh-worker-${i}`, 'dh-worker.ts'),
  );
  try {
    const bounds = new Map<Group, DhBounds>();
    for (const group of groups) {
      const parley = await measureDhBound(group, 'parley', workers);
      bounds.set(group, { parley, floor: await measureDhBound(group, 'floor', workers) });
    }
    return bounds;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
};

const startFleet = async (profileDir: string | undefined): Promise<Fleet> => {
  progress('starting the receiver, the sender and the plain TCP pair');
  const receiver = startChild<ReceiverApi>('receiver', 'receiver.ts', [
    '--expose-gc',
    ...profileArgs(profileDir, 'receiver'),
  ]);
  const sender = startChild<SenderApi>('sender', 'sender.ts', profileArgs(profileDir, 'sender'));
  const plainServer = startChild<PlainServerApi>('plain-server', 'plain-server.ts');
  const plainClient = startChild<PlainClientApi>('plain-client', 'plain-client.ts');
  const { port: receiverPort } = await receiver.call('start');
  await sender.call('start', { port: receiverPort });
  const { port: plainPort } = await plainServer.call('start');
  return { receiver, sender, plainServer, plainClient, receiverPort, plainPort };
};

const stopFleet = (fleet: Fleet) =>
  Promise.all(
    [fleet.sender, fleet.plainClient, fleet.plainServer, fleet.receiver].map((c) => c.stop()),
  );

/** The 1-minute load average when the bench starts; warns when other work takes cores. */
const startingLoad = (): number => {
  const [loadAverage = 0] = loadavg();
  // Other work takes cores from the bench: say so, since its figures will be low.
  if (loadAverage > availableParallelism() / 2) {
    progress(`the machine is busy (load ${loadAverage.toFixed(2)}): figures will be low`);
  }
  return loadAverage;
};

const machine = (loadAverage: number) => ({
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? '?',
  node: process.version,
  load_average: round(loadAverage, 2),
});

const bench = async (options: Options, profileDir: string | undefined): Promise<Figures> => {
  const started = performance.now();
  const loadAverage = startingLoad();
  const dhBounds = await measureDhBounds(options.groups);
  const fleet = await startFleet(profileDir);
  const runs = new Map<Group, GroupRun>();
  for (const group of options.groups) runs.set(group, await measureGroup(group, fleet, progress));
  const { peakRssKiB, why, ...receiver } = await fleet.receiver.call('stats');
  const probe = startChild<ReceiverApi>('memory-receiver', 'receiver.ts', ['--expose-gc']);
  const memory = await measureMemory(probe, fleet.sender, options.groups, progress);
  await Promise.all([probe.stop(), stopFleet(fleet)]);
  for (const [reason, n] of Object.entries(why)) progress(`receiver: ${n} × ${reason}`);

  const groups: Partial<Record<Group, GroupFigures>> = {};
  for (const [group, run] of runs) groups[group] = groupFigures(run, dhBounds.get(group)!);
  const delivered = sum([...runs.values()].map((r) => r.delivered));
  // A delivery the receiver never counted would be a lie of the ack: count it as a failure.
  const unseen = Math.max(0, delivered - receiver.received - receiver.duplicate);
  for (const [group, run] of runs) {
    for (const reason of run.reasons) progress(`${group}: not delivered: ${reason}`);
    if (run.tcpFailures > 0) progress(`${group}: ${run.tcpFailures} plain TCP exchanges failed`);
  }
  return {
    groups,
    memory: memoryFigures(memory, peakRssKiB),
    failures: sum([...runs.values()].map((r) => r.failures)) + unseen,
    receiver,
    machine: machine(loadAverage),
    elapsed_s: round((performance.now() - started) / 1000, 1),
  };
};

/** Each role's busiest profile (its main thread), summarised. */
const printProfiles = (dir: string) => {
  console.log(
    `\nCPU profiles in ${dir} (open in Chrome DevTools, or: npx tsx bench/profile.ts DIR)`,
  );
  for (const role of PROFILED_ROLES) {
    const summaries = profilePaths([join(dir, role)]).map((path) => ({
      path,
      summary: summarise(readProfile(path), 15),
    }));
    const main = summaries.sort((a, b) => b.summary.busyMs - a.summary.busyMs)[0];
    if (main) console.log(`\n${renderSummary(main.path, main.summary)}`);
  }
};

/** Stop everything and say why: a failed bench prints no figures. */
const fail = (why: string): never => {
  console.error(`bench failed: ${why}`);
  killAll();
  process.exit(1);
};

/** `--peers`: the comparison table, and its JSON. */
const benchPeers = async (options: Options): Promise<number> => {
  const started = performance.now();
  const loadAverage = startingLoad();
  const run = await measurePeers(progress);
  for (const reason of run.reasons) progress(`not delivered: ${reason}`);
  if (run.unseen > 0) progress(`${run.unseen} acknowledged deliveries were never counted`);
  const elapsed = round((performance.now() - started) / 1000, 1);
  const figures = peerFigures(run, machine(loadAverage), PEER_CONCURRENCY, elapsed);
  console.log(renderPeers(figures));
  if (options.json) console.log(JSON.stringify(figures));
  return figures.failures === 0 ? 0 : 1;
};

const main = async () => {
  const options = parseOptions(process.argv.slice(2));
  whenChildLost(fail);
  const watchdog = setTimeout(
    () => fail(`stopped after ${BENCH_TIME_LIMIT_MS / 1000} s, over its time limit`),
    BENCH_TIME_LIMIT_MS,
  );
  watchdog.unref();
  if (options.peers) {
    process.exitCode = await benchPeers(options);
    return;
  }
  if (process.argv.includes('--rtt')) {
    const rows = await measureRtt();
    console.log(renderRtt(rows));
    if (options.json) console.log(JSON.stringify({ rtt: rows }));
    return;
  }
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'parley-bench-')) : undefined;
  const figures = await bench(options, profileDir);
  console.log(renderTable(figures));
  if (profileDir) printProfiles(profileDir);
  if (options.json) console.log(JSON.stringify(figures));
  process.exitCode = figures.failures === 0 ? 0 : 1;
};

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));

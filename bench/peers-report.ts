/**
 * From the `--peers` runs to figures: deliveries per second and CPU per delivery for each
 * contender (medians of the rounds), the ratio parley x25519 ÷ Noise NNpsk0 of the same run,
 * as JSON and as a table. Pure functions; the goals are issue 12's.
 */
import type { Rate } from './load.js';
import type { Contender } from './peers.js';
import { median, round } from './stats.js';

/** One closed-loop run of one contender, and the CPU its two processes spent on it. */
export interface ContenderRun {
  readonly rate: Rate;
  /** Acknowledged deliveries in the whole run (warm-up and tail included, like the CPU). */
  readonly delivered: number;
  readonly senderCpuUs: number;
  readonly receiverCpuUs: number;
}

export interface PeerRun {
  readonly contenders: readonly Contender[];
  readonly rounds: readonly ReadonlyMap<Contender, ContenderRun>[];
  /** Deliveries not acknowledged, warm-ups included, all contenders. */
  readonly failures: number;
  readonly reasons: readonly string[];
  /** Acknowledged deliveries that the receiver did not count. */
  readonly unseen: number;
  /** parley x25519's protocol alone (bench/protocol-floor.ts): CPU µs per delivery, per round. */
  readonly protocolUs: readonly number[];
  /** The same for parley cpace-ristretto255. */
  readonly protocolCpaceUs: readonly number[];
}

/**
 * The least a parley x25519 delivery can cost here: its protocol work alone (both roles, in
 * memory) plus plain TCP's four round trips. What parley spends above it is its machinery.
 */
export interface FloorFigures {
  readonly protocol_cpu_us_per_delivery: number;
  readonly floor_cpu_us_per_delivery: number;
  /** The floor ÷ Noise NNpsk0's whole delivery: above 1, no machinery could catch Noise up. */
  readonly floor_cpu_ratio_to_noise: number;
  readonly parley_x25519_above_floor_us: number;
  /** The same floor for cpace-ristretto255: its protocol alone plus plain TCP. */
  readonly cpace_protocol_cpu_us_per_delivery: number;
  readonly cpace_floor_cpu_ratio_to_noise: number;
  readonly parley_cpace_above_floor_us: number;
}

export interface ContenderFigures {
  /** Median of the rounds, counted in each round's window. */
  readonly deliveries_per_s: number;
  /** Median of the rounds: sender's plus receiver's CPU time (user + system) per delivery. */
  readonly cpu_us_per_delivery: number;
  readonly sender_cpu_us_per_delivery: number;
  readonly receiver_cpu_us_per_delivery: number;
  /** deliveries/s × CPU per delivery: how many of the machine's cores the pair kept busy. */
  readonly cores_busy: number;
  readonly rounds_per_s: readonly number[];
}

export interface PeerFigures {
  readonly peers: Readonly<Partial<Record<Contender, ContenderFigures>>>;
  /**
   * parley x25519's deliveries/s ÷ Noise NNpsk0's: the median of the rounds' ratios (each from
   * two runs back to back), and round by round.
   */
  readonly ratio_parley_x25519_to_noise: number;
  readonly ratio_rounds: readonly number[];
  /** parley x25519's CPU per delivery ÷ Noise NNpsk0's (below 1: parley spends less). */
  readonly cpu_ratio_parley_x25519_to_noise: number;
  /** parley cpace-ristretto255's CPU per delivery ÷ Noise NNpsk0's (issue 21: ≤ 1.6). */
  readonly cpu_ratio_parley_cpace_to_noise: number;
  readonly floor: FloorFigures;
  readonly concurrency: number;
  readonly failures: number;
  readonly machine: { cores: number; cpu: string; node: string; load_average: number };
  readonly elapsed_s: number;
}

export const LABELS: Readonly<Record<Contender, string>> = {
  noise_nnpsk0: 'Noise NNpsk0 (noise-handshake)',
  tls12_ecdhe_psk: 'TLS 1.2 ECDHE-PSK (node:tls)',
  parley_x25519: 'parley x25519',
  parley_modp14: 'parley modp14',
  parley_cpace: 'parley cpace-ristretto255',
  plain_tcp: 'plain TCP, 4 round trips, no crypto',
};

/** Issue 12: parley x25519 at least as fast as Noise NNpsk0, within Noise's CPU per delivery then. */
export const PEER_GOALS = { ratio: 1, cpuUsPerDelivery: 363 };

const perDelivery = (us: number, run: ContenderRun): number =>
  run.delivered > 0 ? us / run.delivered : Number.NaN;

const contenderFigures = (runs: readonly ContenderRun[]): ContenderFigures => {
  const sender = median(runs, (r) => perDelivery(r.senderCpuUs, r));
  const receiver = median(runs, (r) => perDelivery(r.receiverCpuUs, r));
  const both = median(runs, (r) => perDelivery(r.senderCpuUs + r.receiverCpuUs, r));
  const rate = median(runs, (r) => r.rate.perSecond).rate.perSecond;
  const cpu = perDelivery(both.senderCpuUs + both.receiverCpuUs, both);
  return {
    deliveries_per_s: round(rate),
    cpu_us_per_delivery: round(cpu),
    sender_cpu_us_per_delivery: round(perDelivery(sender.senderCpuUs, sender)),
    receiver_cpu_us_per_delivery: round(perDelivery(receiver.receiverCpuUs, receiver)),
    cores_busy: round((rate * cpu) / 1e6, 2),
    rounds_per_s: runs.map((r) => round(r.rate.perSecond)),
  };
};

const floorFigures = (
  run: PeerRun,
  peers: Partial<Record<Contender, ContenderFigures>>,
): FloorFigures => {
  const protocol = median(run.protocolUs, (x) => x);
  const floor = protocol + peers.plain_tcp!.cpu_us_per_delivery;
  const cpace = median(run.protocolCpaceUs, (x) => x);
  const cpaceFloor = cpace + peers.plain_tcp!.cpu_us_per_delivery;
  return {
    cpace_protocol_cpu_us_per_delivery: round(cpace),
    cpace_floor_cpu_ratio_to_noise: round(cpaceFloor / peers.noise_nnpsk0!.cpu_us_per_delivery, 3),
    parley_cpace_above_floor_us: round(
      (peers.parley_cpace?.cpu_us_per_delivery ?? Number.NaN) - cpaceFloor,
    ),
    protocol_cpu_us_per_delivery: round(protocol),
    floor_cpu_us_per_delivery: round(floor),
    floor_cpu_ratio_to_noise: round(floor / peers.noise_nnpsk0!.cpu_us_per_delivery, 3),
    parley_x25519_above_floor_us: round(peers.parley_x25519!.cpu_us_per_delivery - floor),
  };
};

export const peerFigures = (
  run: PeerRun,
  machine: PeerFigures['machine'],
  concurrency: number,
  elapsedS: number,
): PeerFigures => {
  const peers: Partial<Record<Contender, ContenderFigures>> = {};
  for (const c of run.contenders) {
    peers[c] = contenderFigures(run.rounds.map((r) => r.get(c)!));
  }
  const parley = peers.parley_x25519!;
  const noise = peers.noise_nnpsk0!;
  // Round by round, each ratio from two runs back to back: other work moves both alike.
  const ratio_rounds = run.rounds.map((r) =>
    round(r.get('parley_x25519')!.rate.perSecond / r.get('noise_nnpsk0')!.rate.perSecond, 3),
  );
  return {
    peers,
    ratio_parley_x25519_to_noise: median(ratio_rounds, (x) => x),
    ratio_rounds,
    cpu_ratio_parley_x25519_to_noise: round(
      parley.cpu_us_per_delivery / noise.cpu_us_per_delivery,
      3,
    ),
    cpu_ratio_parley_cpace_to_noise: round(
      (peers.parley_cpace?.cpu_us_per_delivery ?? Number.NaN) / noise.cpu_us_per_delivery,
      3,
    ),
    floor: floorFigures(run, peers),
    concurrency,
    failures: run.failures + run.unseen,
    machine,
    elapsed_s: elapsedS,
  };
};

const mark = (ok: boolean): string => (ok ? 'met' : 'NOT MET');

const row = (cells: readonly (string | number)[]): string =>
  String(cells[0]).padEnd(38) +
  cells
    .slice(1)
    .map((c) => String(c).padStart(14))
    .join('');

/** The table for people, fastest first. */
export const renderPeers = (f: PeerFigures): string => {
  const m = f.machine;
  const order = (Object.keys(f.peers) as Contender[]).sort(
    (a, b) => f.peers[b]!.deliveries_per_s - f.peers[a]!.deliveries_per_s,
  );
  const parley = f.peers.parley_x25519!;
  return [
    `parley bench --peers: ${m.cores} cores (${m.cpu}), Node ${m.node}, load ${m.load_average} ` +
      `at start, 127.0.0.1, ${f.concurrency} concurrent senders, one connection per message, ` +
      `${f.elapsed_s} s`,
    '',
    row(['', 'deliveries/s', 'CPU µs/deliv.', 'sender µs', 'receiver µs', 'cores busy']),
    ...order.map((c) => {
      const p = f.peers[c]!;
      return row([
        LABELS[c],
        p.deliveries_per_s,
        p.cpu_us_per_delivery,
        p.sender_cpu_us_per_delivery,
        p.receiver_cpu_us_per_delivery,
        p.cores_busy,
      ]);
    }),
    '',
    `parley x25519 ÷ Noise NNpsk0, deliveries/s: ${f.ratio_parley_x25519_to_noise} ` +
      `(round by round: ${f.ratio_rounds.join(', ')}); CPU per delivery: ` +
      `${f.cpu_ratio_parley_x25519_to_noise} × Noise's; parley cpace-ristretto255's CPU per ` +
      `delivery: ${f.cpu_ratio_parley_cpace_to_noise} × Noise's`,
    `parley x25519's floor: its protocol alone ${f.floor.protocol_cpu_us_per_delivery} µs ` +
      `(both roles in memory, one core) + plain TCP ${f.peers.plain_tcp!.cpu_us_per_delivery} µs ` +
      `= ${f.floor.floor_cpu_us_per_delivery} µs, ${f.floor.floor_cpu_ratio_to_noise} × Noise's ` +
      `whole delivery; parley spends ${f.floor.parley_x25519_above_floor_us} µs above it`,
    `parley cpace-ristretto255's floor: its protocol alone ` +
      `${f.floor.cpace_protocol_cpu_us_per_delivery} µs + plain TCP, ` +
      `${f.floor.cpace_floor_cpu_ratio_to_noise} × Noise's whole delivery; parley spends ` +
      `${f.floor.parley_cpace_above_floor_us} µs above it`,
    `goals (issue 12): ratio ${f.ratio_parley_x25519_to_noise} >= ${PEER_GOALS.ratio} ` +
      `${mark(f.ratio_parley_x25519_to_noise >= PEER_GOALS.ratio)}; CPU per delivery ` +
      `${parley.cpu_us_per_delivery} µs <= ${PEER_GOALS.cpuUsPerDelivery} µs ` +
      mark(parley.cpu_us_per_delivery <= PEER_GOALS.cpuUsPerDelivery),
    `failures: ${f.failures}`,
  ].join('\n');
};

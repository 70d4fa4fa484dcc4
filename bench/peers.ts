/**
 * `npm run bench -- --peers`: parley against what a user could pick instead, in one run. Every
 * contender is a sender process and a receiver process doing parley's unit of work (a new TCP
 * connection on 127.0.0.1, one 100-byte message, an application acknowledgement) at 64
 * concurrent senders. Each round runs every contender once, in a rotating order, so that other
 * work on the machine falls on all of them alike, and parley x25519 right next to Noise NNpsk0
 * (first one, then the other), so that their ratio compares runs a second apart; the median of
 * the rounds is kept.
 */
import type { Child } from './children.js';
import { startChild } from './children.js';
import {
  PEER_CONCURRENCY,
  PEER_ROUNDS,
  PEER_RUN_WARMUP_MS,
  PEER_WARMUP_MS,
  PEER_WINDOW_MS,
  PROTOCOL_FLOOR_WINDOW_MS,
  RECEIVER,
  RUN_MAX_ATTEMPTS,
  SENDER,
  TEXT_BYTES,
} from './config.js';
import { exchangeLines } from './frames.js';
import type { Api } from './ipc.js';
import type { LoadShape, Rate } from './load.js';
import type { PeerKind, PeerReceiverApi } from './peer-receiver.js';
import type { PeerSenderApi } from './peer-sender.js';
import type { ContenderRun, PeerRun } from './peers-report.js';
import type { PlainClientApi } from './plain-client.js';
import type { PlainServerApi } from './plain-server.js';
import type { ProtocolFloorApi } from './protocol-floor.js';
import type { ReceiverApi } from './receiver.js';
import type { SenderApi } from './sender.js';
import { sum } from './stats.js';

export type Contender =
  | 'parley_x25519'
  | 'parley_modp14'
  | 'parley_cpace'
  | 'noise_nnpsk0'
  | 'tls12_ecdhe_psk'
  | 'plain_tcp';

/** One contender's two processes, and how to run its closed loop with a given shape. */
interface Pair {
  readonly contender: Contender;
  readonly sender: Child<Api>;
  readonly receiver: Child<Api>;
  readonly run: (shape: LoadShape) => Promise<Rate>;
  /** Messages its receiver counted, if it counts (two pairs may share one receiver). */
  readonly received?: () => Promise<number>;
}

type Progress = (line: string) => void;

const shape = (warmupMs: number, windowMs: number): LoadShape => ({
  concurrency: PEER_CONCURRENCY,
  warmupMs,
  windowMs,
  maxAttempts: RUN_MAX_ATTEMPTS,
});

const parleyPairs = async (): Promise<Pair[]> => {
  const receiver = startChild<ReceiverApi>('parley-receiver', 'receiver.ts');
  const sender = startChild<SenderApi>('parley-sender', 'sender.ts');
  const { port } = await receiver.call('start');
  await sender.call('start', { port });
  const received = async () => {
    const s = await receiver.call('stats');
    return s.received + s.duplicate;
  };
  const groups = [
    ['x25519', 'parley_x25519'],
    ['modp14', 'parley_modp14'],
    ['cpace-ristretto255', 'parley_cpace'],
  ] as const;
  return groups.map(([group, contender]) => ({
    contender,
    sender: sender as Child<Api>,
    receiver: receiver as Child<Api>,
    run: (s) => sender.call('throughput', { group, shape: s }),
    received,
  }));
};

const peerPair = async (contender: Contender, kind: PeerKind): Promise<Pair> => {
  const receiver = startChild<PeerReceiverApi>(`${kind}-receiver`, 'peer-receiver.ts');
  const sender = startChild<PeerSenderApi>(`${kind}-sender`, 'peer-sender.ts');
  const { port } = await receiver.call('start', { kind });
  return {
    contender,
    sender: sender as Child<Api>,
    receiver: receiver as Child<Api>,
    run: (s) => sender.call('throughput', { kind, port, shape: s }),
    received: async () => (await receiver.call('stats')).received,
  };
};

/** Plain TCP with parley's x25519 lines: four round trips, no cryptography. */
const plainPair = async (): Promise<Pair> => {
  const receiver = startChild<PlainServerApi>('plain-server', 'plain-server.ts');
  const sender = startChild<PlainClientApi>('plain-client', 'plain-client.ts');
  const { port } = await receiver.call('start');
  const lines = exchangeLines('x25519', { initiator: SENDER, responder: RECEIVER }, TEXT_BYTES);
  await receiver.call('configure', { lines: lines.responder });
  return {
    contender: 'plain_tcp',
    sender: sender as Child<Api>,
    receiver: receiver as Child<Api>,
    run: (s) => sender.call('throughput', { port, lines: [...lines.initiator], shape: s }),
  };
};

/** One closed-loop run, with the CPU both processes spent on it (warm-up and tail included). */
const measureRun = async (pair: Pair, s: LoadShape): Promise<ContenderRun> => {
  const before = await Promise.all([pair.sender.cpu(), pair.receiver.cpu()]);
  const rate = await pair.run(s);
  const after = await Promise.all([pair.sender.cpu(), pair.receiver.cpu()]);
  return {
    rate,
    delivered: rate.attempts - rate.failures,
    senderCpuUs: after[0] - before[0],
    receiverCpuUs: after[1] - before[1],
  };
};

/**
 * Acknowledged deliveries that a receiver never counted: an ack that lies is a failure.
 * Pairs that share a receiver (parley's groups) are added up against it.
 */
const unseen = async (
  pairs: readonly Pair[],
  runs: readonly Map<Contender, ContenderRun>[],
): Promise<number> => {
  const acked = (p: Pair) => sum(runs.map((run) => run.get(p.contender)?.delivered ?? 0));
  let missing = 0;
  for (const receiver of new Set(pairs.map((p) => p.receiver))) {
    const sharing = pairs.filter((p) => p.receiver === receiver);
    const count = sharing[0]?.received;
    if (count) missing += Math.max(0, sum(sharing.map(acked)) - (await count()));
  }
  return missing;
};

/** Rotate the order each round: no contender always runs first, or after the same one. */
const rotated = <T>(xs: readonly T[], by: number): T[] => {
  const k = by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
};

/** Round r's order: the units rotated, parley x25519 and Noise NNpsk0 as one unit, swapped. */
const roundOrder = (pairs: readonly Pair[], r: number): Pair[] => {
  const together: readonly Contender[] = ['parley_x25519', 'noise_nnpsk0'];
  const couple = pairs.filter((p) => together.includes(p.contender));
  const units = [
    r % 2 === 0 ? couple : [...couple].reverse(),
    ...pairs.filter((p) => !together.includes(p.contender)).map((p) => [p]),
  ];
  return rotated(units, r).flat();
};

export const measurePeers = async (progress: Progress): Promise<PeerRun> => {
  progress(
    'starting parley (three groups), Noise NNpsk0, TLS 1.2 ECDHE-PSK and plain TCP, each in two processes',
  );
  const pairs = [
    ...(await parleyPairs()),
    await peerPair('noise_nnpsk0', 'noise'),
    await peerPair('tls12_ecdhe_psk', 'tls'),
    await plainPair(),
  ];
  // The protocol alone, in memory: measured in every round, under the same load as the rest.
  const floor = startChild<ProtocolFloorApi>('protocol-floor', 'protocol-floor.ts');
  const protocolUs: number[] = [];
  const protocolCpaceUs: number[] = [];
  const weigh = async (group: 'x25519' | 'cpace-ristretto255', into: number[]) => {
    const { cpuUsPerDelivery } = await floor.call('measure', {
      group,
      windowMs: PROTOCOL_FLOOR_WINDOW_MS,
    });
    into.push(cpuUsPerDelivery);
  };
  const measureFloor = async () => {
    await weigh('x25519', protocolUs);
    await weigh('cpace-ristretto255', protocolCpaceUs);
  };
  try {
    const warmups = new Map<Contender, ContenderRun>();
    for (const pair of pairs) {
      progress(
        `${pair.contender}: warming up, ${PEER_WARMUP_MS} ms at ${PEER_CONCURRENCY} senders`,
      );
      warmups.set(pair.contender, await measureRun(pair, shape(0, PEER_WARMUP_MS)));
    }
    const rounds: Map<Contender, ContenderRun>[] = [];
    for (let r = 0; r < PEER_ROUNDS; r += 1) {
      progress(`round ${r + 1} of ${PEER_ROUNDS}: each contender ${PEER_WINDOW_MS} ms`);
      const round = new Map<Contender, ContenderRun>();
      for (const pair of roundOrder(pairs, r)) {
        round.set(
          pair.contender,
          await measureRun(pair, shape(PEER_RUN_WARMUP_MS, PEER_WINDOW_MS)),
        );
      }
      rounds.push(round);
      await measureFloor();
    }
    const runs = [warmups, ...rounds];
    return {
      contenders: pairs.map((p) => p.contender),
      rounds,
      failures: sum(runs.flatMap((run) => [...run.values()].map((c) => c.rate.failures))),
      reasons: [
        ...new Set(runs.flatMap((run) => [...run.values()].flatMap((c) => c.rate.reasons))),
      ],
      unseen: await unseen(pairs, runs),
      protocolUs,
      protocolCpaceUs,
    };
  } finally {
    const children = new Set<Child<Api>>([
      ...pairs.flatMap((p) => [p.sender, p.receiver]),
      floor as Child<Api>,
    ]);
    await Promise.all([...children].map((c) => c.stop()));
  }
};

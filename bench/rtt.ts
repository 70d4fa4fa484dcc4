/**
 * `npm run bench -- --rtt`: how many network round trips one delivery waits for, through a
 * proxy on 127.0.0.1 that holds every chunk RTT_DELAY_MS in each direction (so a round trip is
 * twice that). The TCP connect to the proxy and the proxy's own connect are not delayed: the
 * figures are the round trips after the connect, as the time with the delay less the time
 * through the same proxy without it, over one round trip. parley in each group, in the fast order (the
 * default) and in lock-step (the proxy removes the offer from the hello, as a peer that does
 * not know it would ignore it), and the Noise NNpsk0 and TLS peers of `--peers`, one after
 * another in one process: sequential deliveries, one at a time, so only the waits count.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import type { Group, ParleyNode } from '../src/index.js';
import { GROUPS, LOCALHOST, RECEIVER, SECRET, SENDER, TEXT } from './config.js';
import { loadParley } from './parley.js';
import { deliverNoise, listenNoise } from './peer-noise.js';
import { deliverTls, listenTls } from './peer-tls.js';

/** Each way: 40 ms, a round trip of 80 ms (issue 21's measurement). */
export const RTT_DELAY_MS = Number(process.env.PARLEY_RTT_DELAY_MS ?? 40);
export const RTT_DELIVERIES = 10;
const RTT_WARMUP = 2;

/** A line transform for what goes to the responder (lock-step: the offer taken out). */
type Rewrite = ((line: string) => string) | undefined;

const withoutOffer = (line: string): string =>
  line.includes('"type":"hello"') ? line.replace(/,"group":"[^"]*"/, '') : line;

/** Forwards `from` to `to`, each chunk held `delayMs`; whole lines rewritten when asked. */
const delayed = (from: Socket, to: Socket, delayMs: number, rewrite: Rewrite) => {
  let partial = '';
  from.on('data', (chunk: Buffer) => {
    let out: Buffer | string = chunk;
    if (rewrite) {
      const text = partial + chunk.toString('utf8');
      const cut = text.lastIndexOf('\n') + 1;
      partial = text.slice(cut);
      out = text
        .slice(0, cut)
        .split('\n')
        .map((l) => (l === '' ? l : rewrite(l)))
        .join('\n');
    }
    // One chunk in, one write out: the proxy keeps the segmenting it was given.
    const write = () => {
      if (!to.destroyed && out.length > 0) to.write(out);
    };
    if (delayMs === 0) write();
    else setTimeout(write, delayMs);
  });
  from.once('end', () => setTimeout(() => to.end(), delayMs));
  from.once('close', () => setTimeout(() => to.destroy(), delayMs));
  from.on('error', () => {});
};

const startDelayingProxy = (target: number, rewrite: Rewrite, delayMs: number): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer((client) => {
      const upstream = connect({ host: LOCALHOST, port: target });
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      delayed(client, upstream, delayMs, rewrite);
      delayed(upstream, client, delayMs, undefined);
    });
    server.listen(0, LOCALHOST, () => resolve(server));
  });

const portOf = (server: Server): number => (server.address() as { port: number }).port;

/** The mean time of RTT_DELIVERIES sequential deliveries, in ms, after a warm-up. */
const meanMs = async (deliver: () => Promise<boolean>): Promise<number> => {
  for (let i = 0; i < RTT_WARMUP; i++) await deliver();
  const started = performance.now();
  for (let i = 0; i < RTT_DELIVERIES; i++) {
    if (!(await deliver())) throw new Error('a delivery through the proxy failed');
  }
  return (performance.now() - started) / RTT_DELIVERIES;
};

/**
 * Round trips per delivery: the time through the delaying proxy less the time through the
 * same proxy without delay (the CPU and the hops' own cost), over one round trip.
 */
const measure = async (
  rewrite: Rewrite,
  target: number,
  deliver: (port: number) => Promise<boolean>,
): Promise<number> => {
  const times: number[] = [];
  for (const delayMs of [0, RTT_DELAY_MS]) {
    const proxy = await startDelayingProxy(target, rewrite, delayMs);
    try {
      times.push(await meanMs(() => deliver(portOf(proxy))));
    } finally {
      proxy.close();
    }
  }
  return (times[1]! - times[0]!) / (2 * RTT_DELAY_MS);
};

export interface RttRow {
  readonly contender: string;
  readonly roundTrips: number;
}

const parleyRows = async (): Promise<RttRow[]> => {
  const parley = await loadParley();
  const rows: RttRow[] = [];
  for (const group of GROUPS as readonly Group[]) {
    const bob: ParleyNode = await parley.createNode({ name: RECEIVER, host: LOCALHOST, port: 0 });
    const alice: ParleyNode = await parley.createNode({ name: SENDER, host: LOCALHOST, port: 0 });
    try {
      const parsed = parley.parseDirectory(
        JSON.stringify([{ username: SENDER, password: SECRET, port: alice.port, ip: LOCALHOST }]),
      );
      if (parsed._tag === 'Left') throw new Error(parsed.left.message);
      bob.setDirectory(parsed.right);
      for (const [order, rewrite] of [
        ['lock-step', withoutOffer],
        ['fast order', undefined],
      ] as const) {
        const deliver = async (port: number) => {
          const to = { username: RECEIVER, host: LOCALHOST, port, secret: SECRET };
          return (
            (await firstValueFrom(alice.send({ to, text: TEXT, group }))).outcome === 'delivered'
          );
        };
        rows.push({
          contender: `parley ${group}, ${order}`,
          roundTrips: await measure(rewrite, bob.port, deliver),
        });
      }
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  }
  return rows;
};

const peerRow = async (
  contender: string,
  listen: (onReceived: () => void) => Promise<Server>,
  deliver: (port: number) => Promise<{ ok: boolean }>,
): Promise<RttRow> => {
  const server = await listen(() => {});
  try {
    const roundTrips = await measure(
      undefined,
      portOf(server),
      async (port) => (await deliver(port)).ok,
    );
    return { contender, roundTrips };
  } finally {
    server.close();
  }
};

export const measureRtt = async (): Promise<RttRow[]> => [
  ...(await parleyRows()),
  await peerRow('Noise NNpsk0', listenNoise, deliverNoise),
  await peerRow('TLS 1.2 ECDHE-PSK', listenTls, deliverTls),
];

export const renderRtt = (rows: readonly RttRow[]): string =>
  [
    `round trips per delivery after the connect (a proxy holds each chunk ${RTT_DELAY_MS} ms each way; ${RTT_DELIVERIES} sequential deliveries each)`,
    ...rows.map((r) => `  ${r.contender.padEnd(40)} ${r.roundTrips.toFixed(2)}`),
  ].join('\n');

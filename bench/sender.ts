/**
 * The sending peer, in a process of its own: a real parley node whose `send` is the client
 * path users run (connect, handshake, seal, verified ack), driven one at a time for latency
 * and by a closed loop of concurrent senders for throughput. It also holds the connections
 * of the memory probe.
 */
import { firstValueFrom } from 'rxjs';
import type { Destination, Group, ParleyNode } from '../src/index.js';
import { CONCURRENCY, LOCALHOST, RECEIVER, SECRET, SENDER, TEXT } from './config.js';
import { type HoldRequest, holdConnections, releaseHeld } from './hold.js';
import { serve } from './ipc.js';
import { closedLoop, type LoadShape, type Outcome, sequential } from './load.js';
import { loadParley } from './parley.js';

const parley = await loadParley();

let node: ParleyNode | undefined;
let receiver: Destination | undefined;

const started = (): { node: ParleyNode; to: Destination } => {
  if (!node || !receiver) throw new Error('the sender was not started');
  return { node, to: receiver };
};

/** One delivery: done only when the receiver's ack verified. */
const deliver = async (group: Group): Promise<Outcome> => {
  const { node, to } = started();
  const report = await firstValueFrom(node.send({ to, text: TEXT, group }));
  return report.outcome === 'delivered' ? { ok: true } : { ok: false, reason: report.reason };
};

const api = {
  start: async ({ port }: { port: number }) => {
    node = await parley.createNode({
      name: SENDER,
      host: LOCALHOST,
      port: 0,
      // Room for the highest concurrency: the queue must never be what limits it.
      maxOutgoing: Math.max(...CONCURRENCY),
      // Side by side to the one receiver: the default sends one contact's messages in order,
      // one at a time, which would measure the round trip, not the node's throughput.
      inOrder: false,
    });
    receiver = { username: RECEIVER, host: LOCALHOST, port, secret: SECRET };
  },
  /** Send to another receiver from now on (the memory probe's fresh one). */
  aim: async ({ port }: { port: number }) => {
    receiver = { username: RECEIVER, host: LOCALHOST, port, secret: SECRET };
  },
  latency: async ({ group, count }: { group: Group; count: number }) =>
    sequential(() => deliver(group), count),
  throughput: async ({ group, shape }: { group: Group; shape: LoadShape }) =>
    closedLoop(() => deliver(group), shape),
  hold: async (request: HoldRequest) => holdConnections(request),
  release: async () => releaseHeld(),
  exit: async () => {
    await releaseHeld();
    await node?.close();
  },
};

export type SenderApi = typeof api;

serve(api);

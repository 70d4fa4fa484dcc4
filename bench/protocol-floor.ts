/**
 * parley's protocol work alone, in a process of its own: both actors of one delivery (hello,
 * dh, auth, message, ack) stepped against each other in memory, with the real keys, MACs,
 * cipher, JSON and codecs, the dedupe memory answering `deliver`, and no socket, driver,
 * timer or pipeline. What one delivery costs here, added to plain TCP's four round trips,
 * is the least a parley delivery can cost on this machine: everything above that is the
 * machinery around the protocol (sockets' JS side, RxJS, the node), which `--peers` weighs.
 */
import type { Group } from '../src/index.js';
import { PROTOCOL_FLOOR_WARMUP_MS } from './config.js';
import { deliverFor } from './floor-delivery.js';
import { serve } from './ipc.js';

// The first call warms up the JIT (the peers do: their warm-up run comes first).
let warm = false;

const api = {
  /** CPU µs per delivery over a window of `windowMs` (after a short warm-up). */
  measure: async ({ group, windowMs }: { group: Group; windowMs: number }) => {
    if (!warm) deliverFor(group, PROTOCOL_FLOOR_WARMUP_MS);
    warm = true;
    const before = process.cpuUsage();
    const count = deliverFor(group, windowMs);
    const used = process.cpuUsage(before);
    return { cpuUsPerDelivery: (used.user + used.system) / count, deliveries: count };
  },
};

export type ProtocolFloorApi = typeof api;

serve(api);

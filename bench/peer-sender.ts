/**
 * A comparison peer's sending end, in a process of its own: one new connection per delivery,
 * driven by the same closed loop as parley's sender.
 */
import { serve } from './ipc.js';
import { closedLoop, type LoadShape, type Outcome } from './load.js';
import { deliverNoise } from './peer-noise.js';
import type { PeerKind } from './peer-receiver.js';
import { deliverTls } from './peer-tls.js';

const DELIVER: Readonly<Record<PeerKind, (port: number) => Promise<Outcome>>> = {
  noise: deliverNoise,
  tls: deliverTls,
};

const api = {
  throughput: async ({ kind, port, shape }: { kind: PeerKind; port: number; shape: LoadShape }) =>
    closedLoop(() => DELIVER[kind](port), shape),
};

export type PeerSenderApi = typeof api;

serve(api);

/**
 * A comparison peer's receiving end, in a process of its own: a Noise NNpsk0 or a TLS 1.2
 * ECDHE-PSK server on 127.0.0.1 that counts the messages it decrypted and acknowledged.
 */
import type { AddressInfo, Server } from 'node:net';
import { serve } from './ipc.js';
import { listenNoise } from './peer-noise.js';
import { listenTls } from './peer-tls.js';

export type PeerKind = 'noise' | 'tls';

const LISTEN: Readonly<Record<PeerKind, (onReceived: () => void) => Promise<Server>>> = {
  noise: listenNoise,
  tls: listenTls,
};

let server: Server | undefined;
let received = 0;

const api = {
  start: async ({ kind }: { kind: PeerKind }) => {
    server = await LISTEN[kind](() => {
      received += 1;
    });
    return { port: (server.address() as AddressInfo).port };
  },
  stats: async () => ({ received }),
  exit: async () => {
    server?.close();
  },
};

export type PeerReceiverApi = typeof api;

serve(api);

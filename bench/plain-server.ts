/**
 * The plain TCP baseline's server, in a process of its own: for every line a client writes,
 * it answers with the line of the same step of a parley delivery (same sizes), and ends the
 * connection after the fourth, as parley's responder does. No cryptography, no parsing.
 */
import * as net from 'node:net';
import { LOCALHOST } from './config.js';
import { countNewlines } from './frames.js';
import { serve } from './ipc.js';

let replies: readonly Buffer[] = [];
let server: net.Server | undefined;

const answer = (socket: net.Socket): void => {
  // The same as parley: lock-step frames, so Nagle's delay would be pure latency.
  socket.setNoDelay(true);
  const lines = replies;
  let step = 0;
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    for (let n = countNewlines(chunk); n > 0 && step < lines.length; n -= 1) {
      socket.write(lines[step]!);
      step += 1;
      if (step === lines.length) socket.end();
    }
  });
};

const api = {
  start: async () => {
    const listening = net.createServer(answer);
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, LOCALHOST, resolve));
    return { port: (listening.address() as net.AddressInfo).port };
  },
  /** The responder's four lines for the group measured next. */
  configure: async ({ lines }: { lines: readonly string[] }) => {
    replies = lines.map((l) => Buffer.from(l, 'utf8'));
  },
  exit: async () => {
    server?.close();
  },
};

export type PlainServerApi = typeof api;

serve(api);

/**
 * The plain TCP baseline's client, in a process of its own: one connection per delivery,
 * four round trips with lines of parley's sizes, driven by the same loops as the parley
 * sender. What it reaches is what the machine and Node's networking allow.
 */
import * as net from 'node:net';
import { LOCALHOST } from './config.js';
import { countNewlines } from './frames.js';
import { serve } from './ipc.js';
import { closedLoop, type LoadShape, type Outcome, sequential } from './load.js';

/** Connect, then write each line after the answer to the one before; done at the 4th answer. */
const exchange = (port: number, lines: readonly Buffer[]): Promise<Outcome> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: LOCALHOST, port });
    socket.setNoDelay(true);
    let answers = 0;
    socket.once('connect', () => socket.write(lines[0]!));
    socket.on('data', (chunk) => {
      answers += countNewlines(chunk);
      if (answers < lines.length) {
        socket.write(lines[answers]!);
        return;
      }
      socket.end();
      resolve({ ok: true });
    });
    socket.on('error', (err) => resolve({ ok: false, reason: err.message }));
    socket.once('close', () => resolve({ ok: false, reason: 'closed before the last answer' }));
  });

const toBuffers = (lines: readonly string[]) => lines.map((l) => Buffer.from(l, 'utf8'));

const api = {
  latency: async ({ port, lines, count }: { port: number; lines: string[]; count: number }) => {
    const buffers = toBuffers(lines);
    return sequential(() => exchange(port, buffers), count);
  },
  throughput: async ({
    port,
    lines,
    shape,
  }: {
    port: number;
    lines: string[];
    shape: LoadShape;
  }) => {
    const buffers = toBuffers(lines);
    return closedLoop(() => exchange(port, buffers), shape);
  },
};

export type PlainClientApi = typeof api;

serve(api);

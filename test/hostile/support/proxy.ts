/**
 * A man in the middle: a TCP proxy on 127.0.0.1 that reads each line in both directions and
 * lets a test forward it, change it, or withhold it. A side that closes closes the other.
 */
import { connect, createServer, type Socket } from 'node:net';
import { LOCALHOST, type Tracker } from './wire.js';

export type Direction = 'toResponder' | 'toInitiator';

export interface Seen {
  readonly direction: Direction;
  /** Counted from 0 in each direction of each connection. */
  readonly index: number;
  /** Counted from 0 across the proxy's life. */
  readonly connection: number;
}

/** The line to forward (without its newline), or undefined to withhold it. */
export type LineHook = (line: string, seen: Seen) => string | undefined;

export interface Proxy {
  readonly port: number;
  /** Where new connections go (a restarted receiver listens elsewhere). */
  retarget(port: number): void;
  /** Every line seen, as it arrived. */
  readonly log: { readonly seen: Seen; readonly line: string }[];
}

/** Calls `onLine` for every complete line in the bytes pushed in. */
const lineSplitter = (onLine: (line: string) => void) => {
  let pending = Buffer.alloc(0);
  return (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (let nl = pending.indexOf(0x0a); nl !== -1; nl = pending.indexOf(0x0a)) {
      onLine(pending.subarray(0, nl).toString('utf8'));
      pending = pending.subarray(nl + 1);
    }
  };
};

const pipeLines = (
  from: Socket,
  to: Socket,
  direction: Direction,
  connection: number,
  hook: LineHook,
  log: Proxy['log'],
) => {
  let index = 0;
  from.on(
    'data',
    lineSplitter((line) => {
      const seen = { direction, index: index++, connection };
      log.push({ seen, line });
      const out = hook(line, seen);
      if (out !== undefined && !to.destroyed) to.write(`${out}\n`);
    }),
  );
  // The peer's end, or its death, reaches the other side as an end.
  from.once('end', () => to.end());
  from.once('close', () => to.end());
  from.on('error', () => {});
};

export const startProxy = (
  track: Tracker,
  targetPort: number,
  hook: LineHook = (line) => line,
): Promise<Proxy> => {
  let target = targetPort;
  let connections = 0;
  const log: Proxy['log'] = [];
  const server = track.server(
    createServer((client) => {
      track.socket(client);
      const upstream = track.socket(connect({ host: LOCALHOST, port: target }));
      const n = connections++;
      pipeLines(client, upstream, 'toResponder', n, hook, log);
      pipeLines(upstream, client, 'toInitiator', n, hook, log);
    }),
  );
  return new Promise((resolve) => {
    server.listen(0, LOCALHOST, () =>
      resolve({
        port: (server.address() as { port: number }).port,
        retarget: (port) => {
          target = port;
        },
        log,
      }),
    );
  });
};

/**
 * Raw sockets for hostile peers: a line reader over any socket (client or server side), a
 * dialer bound to a chosen local address, and a tracker that destroys whatever a test left
 * open. Every wait is bounded.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export const LOCALHOST = '127.0.0.1';
/** All of 127/8 is loopback: the attacker and the contact each get an address of their own. */
export const ATTACKER = '127.0.0.5';
export const CONTACT = '127.0.0.2';

export interface Wire {
  readonly socket: Socket;
  /** Every complete line received so far. */
  readonly lines: string[];
  /** When the peer's FIN arrived (ms since the epoch), if it has. */
  readonly endedAt: () => number | undefined;
  /** Resolves when the socket is fully closed. */
  readonly closed: Promise<void>;
  sendFrame(frame: object): void;
  /** The next line not yet read, parsed; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
}

const bounded = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });

export const within = bounded;

export const wrap = (socket: Socket): Wire => {
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let pending = '';
  let read = 0;
  let endedAt: number | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', () => {});
  socket.once('end', () => {
    endedAt = Date.now();
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const attempt = () => {
        if (lines.length > read) resolve(lines[read++]!);
        else if (endedAt !== undefined || socket.destroyed) reject(new Error('connection ended'));
        else waiters.push(attempt);
      };
      attempt();
    });
  return {
    socket,
    lines,
    endedAt: () => endedAt,
    closed,
    sendFrame: (frame) => {
      socket.write(`${JSON.stringify(frame)}\n`);
    },
    next: async (timeoutMs = 3_000) =>
      JSON.parse(await bounded(nextLine(), timeoutMs, 'next line')) as Record<string, unknown>,
  };
};

/** Sockets and servers a test opened, destroyed in its afterEach. */
export const tracker = () => {
  const sockets = new Set<Socket>();
  const servers = new Set<Server>();
  return {
    socket: (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      return s;
    },
    server: (s: Server) => {
      servers.add(s);
      return s;
    },
    cleanUp: async () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await Promise.all([...servers].map((s) => new Promise((r) => s.close(r))));
      servers.clear();
    },
  };
};
export type Tracker = ReturnType<typeof tracker>;

/**
 * Connect from `localAddress`; resolves once connected (bounded). `halfOpen` keeps our side
 * open after the peer's FIN, as a hostile peer would (Node ends it by default).
 */
export const dial = (
  track: Tracker,
  port: number,
  localAddress = LOCALHOST,
  { timeoutMs = 5_000, halfOpen = false } = {},
): Promise<Wire> => {
  const socket = track.socket(
    connect({ host: LOCALHOST, port, localAddress, allowHalfOpen: halfOpen }),
  );
  socket.on('error', () => {});
  const connected = new Promise<Wire>((resolve, reject) => {
    socket.once('connect', () => resolve(wrap(socket)));
    socket.once('error', reject);
  });
  return bounded(connected, timeoutMs, `connect to ${port}`);
};

/** A raw server on a free port of 127.0.0.1 that hands each connection to `onPeer`. */
export const rawServer = (
  track: Tracker,
  onPeer: (wire: Wire) => void | Promise<void>,
): Promise<{ port: number; server: Server }> =>
  new Promise((resolve) => {
    // A peer that leaves early makes the script's waits reject: the test sees what it got.
    const handle = (s: Socket) => Promise.resolve(onPeer(wrap(track.socket(s)))).catch(() => {});
    const server = track.server(createServer(handle));
    server.listen(0, LOCALHOST, () => {
      resolve({ port: (server.address() as { port: number }).port, server });
    });
  });

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `check` every 20 ms until it holds, or fail after `timeoutMs`. */
export const eventually = async (check: () => boolean, timeoutMs: number, what: string) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
};

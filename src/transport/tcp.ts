/**
 * TCP sockets as observables. Everything that can go wrong on a socket comes out as a value
 * (a `closed$` reason, an `error` event, a `ConnectFailure`), never as an uncaught exception:
 * one bad peer must not take the node down.
 */

import * as net from 'node:net';
import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { AsyncSubject, Observable } from 'rxjs';
import {
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_LISTEN_HOST,
  MAX_FRAME_BYTES,
  MAX_PENDING_LINE_BYTES,
} from '../limits.js';
import type {
  ConnectFailure,
  Connection,
  ConnectTo,
  ListenAt,
  ServerEvent,
  Transport,
} from '../ports/ports.js';
import { createLineBudget, frameLines, type LineBudget } from '../streams/framing.js';
import {
  describeConnectError,
  describeListenError,
  describeSocketError,
  errorCode,
} from './socket-errors.js';

export interface SocketOptions {
  readonly maxFrameBytes?: number;
  readonly closeGraceMs?: number;
  /** Shared with other connections: the bytes of unfinished lines they may hold together. */
  readonly lineBudget?: LineBudget;
}

/** The socket's inbound bytes; completes on the peer's end or on close. Cold, so shared below. */
const socketData$ = (socket: net.Socket): Observable<Buffer> =>
  new Observable<Buffer>((subscriber) => {
    if (socket.readableEnded || socket.destroyed) {
      subscriber.complete();
      return;
    }
    const onData = (chunk: Buffer) => subscriber.next(chunk);
    const onEnd = () => subscriber.complete();
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    // Removing the listener leaves the socket flowing: later data is read and dropped, so the
    // peer's end (and then 'close') is still seen.
    return () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
  });

/** Settle when the socket is fully closed, with the last error seen, if any. */
const closedReason$ = (socket: net.Socket): Observable<{ error?: string }> => {
  const closed$ = new AsyncSubject<{ error?: string }>();
  let failure: string | undefined;
  // This listener is what keeps a socket error from becoming an uncaught exception.
  socket.on('error', (err) => {
    failure ??= describeSocketError(err);
  });
  const settle = () => {
    closed$.next(failure === undefined ? {} : { error: failure });
    closed$.complete();
  };
  if (socket.closed) settle();
  else socket.once('close', settle);
  return closed$.asObservable();
};

// A failed write ends the connection; the 'error' listener of closedReason$ records why.
const ignoreWriteError = (): void => {};

const connectionGone = (): Error => new Error('the connection is already closed');

/** Write and complete once the kernel has the bytes (and the buffer has drained, if it filled). */
const write$ = (socket: net.Socket, line: string): Observable<void> =>
  new Observable<void>((subscriber) => {
    if (socket.destroyed || !socket.writable) {
      subscriber.error(connectionGone());
      return;
    }
    let written = false;
    let drained = true;
    const settle = () => {
      if (written && drained) subscriber.complete();
    };
    const onDrain = () => {
      drained = true;
      settle();
    };
    // Once the kernel has the bytes, a close while waiting for 'drain' does not undo the send.
    const onClose = () => (written ? subscriber.complete() : subscriber.error(connectionGone()));
    socket.once('close', onClose);
    drained = socket.write(line, (err) => {
      if (err) {
        subscriber.error(new Error(`could not send: ${describeSocketError(err)}`));
        return;
      }
      written = true;
      settle();
    });
    if (!drained) socket.once('drain', onDrain);
    return () => {
      socket.off('close', onClose);
      socket.off('drain', onDrain);
    };
  });

/** Wrap a connected socket. Listens for 'error' at once, so no socket error goes uncaught. */
export const fromSocket = (socket: net.Socket, options: SocketOptions = {}): Connection => {
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const closeGraceMs = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  const closed$ = closedReason$(socket);
  // Lock-step protocol: every frame waits for an answer, so Nagle's delay is pure latency.
  socket.setNoDelay(true);

  let graceTimer: NodeJS.Timeout | undefined;
  socket.once('close', () => clearTimeout(graceTimer));

  const close = () => {
    if (socket.destroyed || graceTimer !== undefined) return;
    // Read (and drop) whatever still comes, or the peer's end would never be seen.
    if (socket.readableFlowing !== true) socket.resume();
    socket.end();
    graceTimer = setTimeout(() => socket.destroy(), closeGraceMs);
    graceTimer.unref();
  };

  return {
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
    // Not shared: its one reader is the connection's actor (a share would cost a Subject and a
    // subscriber per connection).
    lines$: socketData$(socket).pipe(frameLines(maxFrameBytes, options.lineBudget)),
    closed$,
    send: (line) => write$(socket, line),
    write: (lines) => {
      if (!socket.destroyed && socket.writable) socket.write(lines, ignoreWriteError);
    },
    close,
    destroy: () => {
      clearTimeout(graceTimer);
      socket.destroy();
    },
  };
};

export interface ListenOptions extends SocketOptions, ListenAt {
  /** The bytes of unfinished lines all its connections may hold together (MAX_PENDING_LINE_BYTES). */
  readonly maxPendingLineBytes?: number;
}

/**
 * Listen on subscribe. Emits `listening` (with the real port, so port 0 works), then a
 * `connection` per peer. An error while starting is emitted as an `error` event and completes,
 * leaving nothing open; an error after that (e.g. out of file descriptors on accept) is
 * emitted and listening goes on. Unsubscribing stops accepting; connections already handed
 * out belong to the subscriber and stay open.
 */
export const listen$ = (options: ListenOptions): Observable<ServerEvent> =>
  new Observable<ServerEvent>((subscriber) => {
    const host = options.host ?? DEFAULT_LISTEN_HOST;
    const server = net.createServer();
    // One budget per listener: its connections' unfinished lines together (see framing.ts).
    const lineBudget =
      options.lineBudget ?? createLineBudget(options.maxPendingLineBytes ?? MAX_PENDING_LINE_BYTES);
    let listening = false;
    let stopped = false;

    const stop = () => {
      stopped = true;
      // The callback swallows ERR_SERVER_NOT_RUNNING when listen never succeeded.
      server.close(() => {});
    };

    server.on('connection', (socket) => {
      // Accepted after unsubscribe: nobody would own it.
      if (subscriber.closed) {
        socket.destroy();
        return;
      }
      const connection = fromSocket(socket, { ...options, lineBudget });
      subscriber.next({ kind: 'connection', connection });
    });
    server.on('error', (err) => {
      const event: ServerEvent = {
        kind: 'error',
        code: errorCode(err),
        message: describeListenError(err, host, options.port),
      };
      subscriber.next(event);
      if (!listening) subscriber.complete();
    });
    server.listen(options.port, host, () => {
      listening = true;
      // Listening starts after an asynchronous host lookup; should it outlive an unsubscribe
      // (Node 20 cancels it, but that is not documented), close it straight away.
      if (stopped) {
        stop();
        return;
      }
      const address = server.address() as net.AddressInfo;
      subscriber.next({ kind: 'listening', port: address.port, host });
    });
    return stop;
  });

export interface ConnectOptions extends SocketOptions, ConnectTo {}

const connectTimeout = () => Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' });

const connectFailure = (err: unknown, options: ConnectOptions, timeoutMs: number) => ({
  code: errorCode(err),
  message: describeConnectError(err, options.host, options.port, timeoutMs),
});

/**
 * Connect on subscribe; emits exactly one value, a connection or the reason there is none,
 * then completes. Unsubscribing before the connection is made destroys the socket.
 */
export const connect$ = (options: ConnectOptions): Observable<Either<ConnectFailure, Connection>> =>
  new Observable<Either<ConnectFailure, Connection>>((subscriber) => {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const socket = net.connect({
      host: options.host,
      port: options.port,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    });
    let handedOut = false;

    const fail = (err: unknown) => {
      socket.destroy();
      subscriber.next(left(connectFailure(err, options, timeoutMs)));
      subscriber.complete();
    };
    const timer = setTimeout(() => fail(connectTimeout()), timeoutMs);
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      // fromSocket listens for 'error' before ours goes, so there is never a gap.
      const connection = fromSocket(socket, options);
      socket.off('error', fail);
      handedOut = true;
      subscriber.next(right(connection));
      subscriber.complete();
    });
    return () => {
      clearTimeout(timer);
      if (!handedOut) {
        socket.off('error', fail);
        // Keep a listener: destroy() may still report an error we no longer care about.
        socket.on('error', () => {});
        socket.destroy();
      }
    };
  });

/** TCP as the node's transport (the default). */
export const tcpTransport = (options: SocketOptions = {}): Transport => ({
  listen$: (at) => listen$({ ...options, ...at }),
  connect$: (to) => connect$({ ...options, ...to }),
});

export type { ConnectFailure, Connection, ServerEvent } from '../ports/ports.js';

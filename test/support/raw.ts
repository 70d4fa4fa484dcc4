/** A raw TCP client for tests that play a misbehaving peer: it sends what it is told. */
import { connect, type Socket } from 'node:net';

export interface RawPeer {
  readonly socket: Socket;
  /** Every line received so far. */
  readonly lines: string[];
  /** Resolves when the node closes the connection. */
  readonly closed: Promise<void>;
  write(text: string): void;
  /** Waits (bounded) for the next line beyond those already read. */
  nextLine(timeoutMs?: number): Promise<string>;
}

export const rawPeer = (port: number, localAddress = '127.0.0.1'): Promise<RawPeer> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const lines: string[] = [];
    let buffered = '';
    let read = 0;
    const waiters: (() => void)[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      for (const wake of waiters.splice(0)) wake();
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () =>
      resolve({
        socket,
        lines,
        closed,
        write: (text) => socket.write(text),
        nextLine: (timeoutMs = 3_000) =>
          new Promise((res, rej) => {
            const attempt = () => {
              if (lines.length > read) {
                clearTimeout(timer);
                res(lines[read++]!);
              } else {
                waiters.push(attempt);
              }
            };
            const timer = setTimeout(() => rej(new Error('no line in time')), timeoutMs);
            attempt();
          }),
      }),
    );
    socket.once('error', reject);
  });

export const helloFrom = (from: string, to: string | null = null) =>
  `${JSON.stringify({ type: 'hello', version: 1, from, to, nonce: '0'.repeat(32) })}\n`;

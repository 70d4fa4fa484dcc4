/**
 * Connections held open mid-handshake: each says a valid hello, waits for the receiver's,
 * then stays silent, so that the receiver holds one responder per connection in progress.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { helloLine } from './frames.js';

export interface HoldRequest {
  readonly port: number;
  readonly host: string;
  readonly from: string;
  readonly to: string;
  readonly count: number;
  /** Opened this many at a time, so that the listen backlog never overflows. */
  readonly batch: number;
}

const held: net.Socket[] = [];

/** Resolves once the receiver has answered our hello: its responder is now waiting for dh. */
const openOne = (request: HoldRequest): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: request.host, port: request.port });
    socket.on('error', (err) => reject(err));
    socket.once('close', () => reject(new Error('the receiver closed a held connection')));
    socket.once('connect', () => {
      socket.write(helloLine(request.from, request.to, randomBytes(16).toString('hex')));
    });
    // Lock-step: the first line back is the receiver's hello, or the error that refuses us.
    socket.once('data', (chunk) => {
      const answer = chunk.toString('utf8');
      if (answer.startsWith('{"type":"hello"')) resolve(socket);
      else reject(new Error(`the receiver did not answer hello: ${answer.trim()}`));
    });
  });

export const holdConnections = async (request: HoldRequest): Promise<{ held: number }> => {
  for (let opened = 0; opened < request.count; opened += request.batch) {
    const size = Math.min(request.batch, request.count - opened);
    held.push(...(await Promise.all(Array.from({ length: size }, () => openOne(request)))));
  }
  return { held: held.length };
};

export const releaseHeld = async (): Promise<void> => {
  for (const socket of held.splice(0)) socket.destroy();
};

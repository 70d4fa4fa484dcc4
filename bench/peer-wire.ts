/**
 * What the comparison peers' two ends share: a delivery attempt that settles once, with a
 * deadline, and Noise's framing (a 2-byte big-endian length before each message), read with
 * a bound on what one connection may buffer.
 */
import type { Socket } from 'node:net';
import { PEER_DEADLINE_MS, PEER_MAX_BYTES } from './config.js';
import type { Outcome } from './load.js';

/**
 * Runs `start(done)` on `socket`; the attempt settles at the first `done`, error, close or
 * deadline, whichever comes first, and the socket is destroyed if it is not ended cleanly.
 */
export const attempt = (
  socket: Socket,
  start: (done: (outcome: Outcome) => void) => void,
): Promise<Outcome> =>
  new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!outcome.ok) socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => done({ ok: false, reason: `no answer in ${PEER_DEADLINE_MS} ms` }),
      PEER_DEADLINE_MS,
    );
    socket.on('error', (err) => done({ ok: false, reason: err.message }));
    socket.once('close', () => done({ ok: false, reason: 'closed before the acknowledgement' }));
    start(done);
  });

/** A Noise transport message with its length prefix. */
export const frame = (message: Buffer): Buffer => {
  const out = Buffer.allocUnsafe(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  message.copy(out, 2);
  return out;
};

/**
 * Calls `onFrame` with each whole frame read from `socket`. Past PEER_MAX_BYTES of unread
 * data, or if `onFrame` throws (a frame that does not decrypt), the connection is destroyed:
 * a peer gets no more memory and no more answers than one delivery needs.
 */
export const readFrames = (socket: Socket, onFrame: (message: Buffer) => void): void => {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (pending.length > PEER_MAX_BYTES) {
      socket.destroy();
      return;
    }
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const end = 2 + pending.readUInt16BE(0);
      const message = pending.subarray(2, end);
      pending = pending.subarray(end);
      try {
        onFrame(message);
      } catch {
        socket.destroy();
        return;
      }
    }
  });
};

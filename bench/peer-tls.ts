/**
 * The TLS 1.2 ECDHE-PSK peer (node:tls, OpenSSL): the same unit of work as parley's, over a
 * full handshake keyed by the shared password hashed to 32 bytes, with ephemeral X25519. The
 * client never resumes a session, so the server issues no tickets (no work nobody uses).
 */
import { constants, createHash } from 'node:crypto';
import * as tls from 'node:tls';
import {
  LOCALHOST,
  PEER_ACK,
  PEER_DEADLINE_MS,
  RECEIVER,
  SECRET,
  SENDER,
  TEXT,
  TEXT_BYTES,
} from './config.js';
import type { Outcome } from './load.js';
import { attempt } from './peer-wire.js';

const PSK = createHash('sha256').update(SECRET).digest();
const MESSAGE = Buffer.from(TEXT, 'utf8');
const ACK = Buffer.from(PEER_ACK, 'utf8');

const PROTOCOL = {
  ciphers: 'ECDHE-PSK-AES128-CBC-SHA256',
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.2',
  ecdhCurve: 'X25519',
} as const;

/** Read exactly the message, count it, acknowledge it, end; anything more ends the connection. */
const receiveTls = (socket: tls.TLSSocket, onReceived: () => void): void => {
  socket.setNoDelay(true);
  socket.setTimeout(PEER_DEADLINE_MS, () => socket.destroy());
  socket.on('error', () => {});
  let read = 0;
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > TEXT_BYTES) socket.destroy();
    else if (read === TEXT_BYTES) {
      onReceived();
      socket.end(ACK);
    }
  });
};

export const listenTls = (onReceived: () => void): Promise<tls.Server> =>
  new Promise((resolve) => {
    const server = tls.createServer(
      {
        ...PROTOCOL,
        pskCallback: (_socket, identity) => (identity === SENDER ? PSK : null),
        pskIdentityHint: RECEIVER,
        secureOptions: constants.SSL_OP_NO_TICKET,
      },
      (socket) => receiveTls(socket, onReceived),
    );
    // A handshake that fails (wrong PSK, a port scan) is that connection's end, not ours.
    server.on('tlsClientError', () => {});
    server.listen(0, LOCALHOST, () => resolve(server));
  });

/** One delivery: done when the acknowledgement arrives over the authenticated channel. */
export const deliverTls = (port: number): Promise<Outcome> => {
  const socket = tls.connect({
    ...PROTOCOL,
    host: LOCALHOST,
    port,
    pskCallback: () => ({ psk: PSK, identity: SENDER }),
    // No certificate in a PSK handshake: the PSK authenticates the server.
    checkServerIdentity: () => undefined,
  });
  socket.setNoDelay(true);
  return attempt(socket, (done) => {
    let answer: Buffer = Buffer.alloc(0);
    socket.once('secureConnect', () => socket.write(MESSAGE));
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      if (answer.length < ACK.length) return;
      const ok = answer.equals(ACK);
      if (ok) socket.end();
      done(ok ? { ok } : { ok, reason: 'not the acknowledgement' });
    });
  });
};

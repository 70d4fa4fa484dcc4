/**
 * The Noise NNpsk0 peer (noise-handshake: X25519, ChaChaPoly, BLAKE2b over libsodium): what a
 * user could pick instead of parley for a password-keyed chat. One delivery is parley's unit of
 * work: a new connection, `-> psk, e` and `<- e, ee` (the handshake), then the 100-byte message
 * and an acknowledgement, each encrypted with the transport keys. The PSK is the shared
 * password hashed to 32 bytes, as Noise requires.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import Noise from 'noise-handshake';
import Cipher from 'noise-handshake/cipher.js';
import { generateKeyPair } from 'noise-handshake/dh.js';
import { LOCALHOST, PEER_ACK, PEER_DEADLINE_MS, SECRET, TEXT, TEXT_BYTES } from './config.js';
import type { Outcome } from './load.js';
import { attempt, frame, readFrames } from './peer-wire.js';

const PATTERN = 'NNpsk0';
const PSK = createHash('sha256').update(SECRET).digest();
const PROLOGUE = Buffer.from('parley bench');
// NN uses no static key, but noise-handshake makes one per handshake unless it is given one:
// made once here, so that the peer pays only for what NNpsk0 needs.
const UNUSED_STATIC = generateKeyPair();
const MESSAGE = Buffer.from(TEXT, 'utf8');
const ACK = Buffer.from(PEER_ACK, 'utf8');

const handshake = (initiator: boolean): Noise => {
  const noise = new Noise(PATTERN, initiator, UNUSED_STATIC, { psk: PSK });
  noise.initialise(PROLOGUE);
  return noise;
};

/**
 * The receiving end of one connection: answer the handshake, decrypt the message, count it,
 * answer with the encrypted acknowledgement and end. A frame that does not decrypt (wrong
 * PSK, tampering), a message of the wrong size or a frame too many ends the connection.
 */
export const receiveNoise = (socket: net.Socket, onReceived: () => void): void => {
  socket.setNoDelay(true);
  socket.setTimeout(PEER_DEADLINE_MS, () => socket.destroy());
  socket.on('error', () => {});
  const noise = handshake(false);
  let channel: { rx: Cipher; tx: Cipher } | undefined;
  let answered = false;
  readFrames(socket, (message) => {
    if (answered) throw new Error('a frame after the acknowledgement');
    if (!channel) {
      noise.recv(message);
      socket.write(frame(noise.send()));
      channel = { rx: new Cipher(noise.rx), tx: new Cipher(noise.tx) };
      return;
    }
    if (channel.rx.decrypt(message).length !== TEXT_BYTES) throw new Error('not the message');
    answered = true;
    onReceived();
    socket.end(frame(channel.tx.encrypt(ACK)));
  });
};

export const listenNoise = (onReceived: () => void): Promise<net.Server> =>
  new Promise((resolve) => {
    const server = net.createServer((socket) => receiveNoise(socket, onReceived));
    server.listen(0, LOCALHOST, () => resolve(server));
  });

/** One delivery: done when the acknowledgement decrypts with the responder's transport key. */
export const deliverNoise = (port: number): Promise<Outcome> => {
  const socket = net.connect({ host: LOCALHOST, port });
  socket.setNoDelay(true);
  return attempt(socket, (done) => {
    const noise = handshake(true);
    let rx: Cipher | undefined;
    socket.once('connect', () => socket.write(frame(noise.send())));
    readFrames(socket, (message) => {
      if (!rx) {
        noise.recv(message);
        rx = new Cipher(noise.rx);
        socket.write(frame(new Cipher(noise.tx).encrypt(MESSAGE)));
        return;
      }
      const ok = rx.decrypt(message).equals(ACK);
      if (ok) socket.end();
      done(ok ? { ok } : { ok, reason: 'not the acknowledgement' });
    });
  });
};

/**
 * The lines of one parley/1 delivery, byte for byte the sizes parley writes, for the plain
 * TCP baseline (which only needs their sizes) and for the memory probe's hello (which must
 * be valid). Field lengths are fixed by the contract, so stand-in values give exact sizes.
 */
import type { Group } from '../src/index.js';

export interface Parties {
  readonly initiator: string;
  readonly responder: string;
}

/** Each side's four lines, newline included, in the order they are written. */
export interface Exchange {
  readonly initiator: readonly string[];
  readonly responder: readonly string[];
}

const PUBLIC_HEX_CHARS: Readonly<Record<Group, number>> = {
  modp14: 512,
  x25519: 64,
  'cpace-ristretto255': 64,
};
const MSG_ID = '00000000-0000-4000-8000-000000000000';
const TIMESTAMP = '2026-11-21T12:00:00.000Z';
const MAC = 'a'.repeat(64);

const line = (frame: object): string => `${JSON.stringify(frame)}\n`;

/** AES-256-CBC with PKCS#7 always adds 1–16 bytes; base64 then takes 4 characters per 3. */
export const ciphertextBase64Chars = (plaintextBytes: number): number =>
  4 * Math.ceil((16 * (Math.floor(plaintextBytes / 16) + 1)) / 3);

/** A valid hello; `nonce` is 32 lowercase hex characters. */
export const helloLine = (from: string, to: string | null, nonce: string): string =>
  line({ type: 'hello', version: 1, from, to, nonce });

const dhLine = (group: Group): string =>
  line({ type: 'dh', group, public: 'a'.repeat(PUBLIC_HEX_CHARS[group]) });

const messageLine = (parties: Parties, plaintextBytes: number): string =>
  line({
    type: 'message',
    header: {
      msg_id: MSG_ID,
      from: parties.initiator,
      to: parties.responder,
      timestamp: TIMESTAMP,
      length: plaintextBytes,
    },
    message: 'A'.repeat(ciphertextBase64Chars(plaintextBytes)),
    security: { hmac_type: 'SHA256', enc_type: 'AES256CBC', hmac: MAC },
  });

/** hello, dh, auth, message (or ack): what each side of one delivery writes. */
export const exchangeLines = (group: Group, parties: Parties, plaintextBytes: number): Exchange => {
  const nonce = 'b'.repeat(32);
  const auth = line({ type: 'auth', proof: MAC });
  return {
    initiator: [
      helloLine(parties.initiator, parties.responder, nonce),
      dhLine(group),
      auth,
      messageLine(parties, plaintextBytes),
    ],
    responder: [
      helloLine(parties.responder, parties.initiator, nonce),
      dhLine(group),
      auth,
      line({ type: 'ack', msg_id: MSG_ID, status: 'delivered', hmac: MAC }),
    ],
  };
};

/** Bytes that each side writes per delivery. */
export const bytesPerDelivery = (exchange: Exchange): { initiator: number; responder: number } => {
  const sum = (lines: readonly string[]) =>
    lines.reduce((n, l) => n + Buffer.byteLength(l, 'utf8'), 0);
  return { initiator: sum(exchange.initiator), responder: sum(exchange.responder) };
};

const NEWLINE = 0x0a;

/** How many lines a chunk completes (a newline never occurs inside a UTF-8 sequence). */
export const countNewlines = (chunk: Buffer): number => {
  let n = 0;
  for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) n += 1;
  return n;
};

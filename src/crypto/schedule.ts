/**
 * The key schedule of parley/1: session keys from the user secret and DHSK, the transcript
 * hash, and the two authentication proofs. Pure functions over node:crypto.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type Group, MacHex, mint } from '../codecs/formats.js';

/** The session's keys. Never logged, never sent. */
export interface SessionKeys {
  /** AES-256 key. */
  readonly enc: Buffer;
  /** CBC IV: one per session, used for exactly one plaintext. */
  readonly iv: Buffer;
  /** Message and ack MAC key. */
  readonly mac: Buffer;
  /** Proof key. */
  readonly auth: Buffer;
}

export const hmac = (key: Buffer | string, ...parts: (Buffer | string)[]): Buffer => {
  const h = createHmac('sha256', key);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** K = HMAC-SHA256(key = S, msg = DHSK ‖ label), S the UTF-8 bytes of the user secret. */
export const deriveKeys = (secret: string, dhsk: Buffer): SessionKeys => {
  const s = Buffer.from(secret, 'utf8');
  return {
    enc: hmac(s, dhsk, 'enc'),
    iv: hmac(s, dhsk, 'iv').subarray(0, 16),
    mac: hmac(s, dhsk, 'mac'),
    auth: hmac(s, dhsk, 'auth'),
  };
};

/** What both sides said in the handshake, in the order the transcript hash takes it. */
export interface Transcript {
  readonly initiator: string;
  readonly responder: string;
  readonly initiatorNonce: string;
  readonly responderNonce: string;
  readonly group: Group;
  readonly initiatorPublic: string;
  readonly responderPublic: string;
}

/**
 * TH = lowercase hex SHA-256 of the handshake lines joined by "\n". The first line names the
 * exchange ("parley/1", or "parley-invite/1" for an invite) so that one can never pass for the other.
 */
export const transcriptHash = (t: Transcript, label = 'parley/1'): string =>
  createHash('sha256')
    .update(
      [
        label,
        t.initiator,
        t.responder,
        t.initiatorNonce,
        t.responderNonce,
        t.group,
        t.initiatorPublic,
        t.responderPublic,
      ].join('\n'),
      'utf8',
    )
    .digest('hex');

export type Role = 'initiator' | 'responder';

/** proof = hex HMAC-SHA256(K_auth, "parley/1 <role>\n" ‖ TH). */
export const proof = (keys: SessionKeys, th: string, role: Role): MacHex =>
  mint(MacHex, hmac(keys.auth, `parley/1 ${role}\n`, th).toString('hex'));

/**
 * Compares two hex MACs in constant time. A value of the wrong length is simply unequal
 * (length is public; the contents are what must not leak through timing).
 */
export const macEquals = (expectedHex: string, actualHex: string): boolean => {
  const expected = Buffer.from(expectedHex, 'hex');
  const actual = Buffer.from(actualHex, 'hex');
  return (
    expected.length === actual.length &&
    actualHex.length === expectedHex.length &&
    timingSafeEqual(expected, actual)
  );
};

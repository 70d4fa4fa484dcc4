/**
 * parley-invite/1's key schedule (docs/PROTOCOL.md, "Invites"): parley/1's with the code as
 * S, its own TH label, proof labels and MAC labels, so that an invite transcript can never pass
 * for a message transcript. The one plaintext is the 32-byte secret under (K_enc, IV).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { type ProtocolError, protocolError } from '../codecs/errors.js';
import { Base64, MacHex, mint } from '../codecs/formats.js';
import {
  hmac,
  type Role,
  type SessionKeys,
  type Transcript,
  transcriptHash,
} from '../crypto/schedule.js';

export const INVITE_LABEL = 'parley-invite/1';
export const SECRET_BYTES = 32;
/** AES-256-CBC of 32 bytes with PKCS#7: 48 bytes. */
export const SEALED_SECRET_BYTES = 48;

/** TH = hex SHA-256 of parley/1's handshake lines with "parley-invite/1" as the first. */
export const inviteTranscriptHash = (t: Transcript): string => transcriptHash(t, INVITE_LABEL);

const macHex = (mac: Buffer): MacHex => mint(MacHex, mac.toString('hex'));

/** proof = hex HMAC(K_auth, "parley-invite/1 <role>\n" ‖ TH). */
export const inviteProof = (keys: SessionKeys, th: string, role: Role): MacHex =>
  macHex(hmac(keys.auth, `${INVITE_LABEL} ${role}\n`, th));

/** join.hmac = HMAC(K_mac, "parley-invite/1 join\n" ‖ TH ‖ "\n" ‖ port). */
export const joinMac = (keys: SessionKeys, th: string, port: number): MacHex =>
  macHex(hmac(keys.mac, [`${INVITE_LABEL} join`, th, String(port)].join('\n')));

/** welcome.hmac = HMAC(K_mac, "parley-invite/1 welcome\n" ‖ TH ‖ "\n" ‖ port ‖ "\n" ‖ secret). */
export const welcomeMac = (keys: SessionKeys, th: string, port: number, secret: string): MacHex =>
  macHex(hmac(keys.mac, [`${INVITE_LABEL} welcome`, th, String(port), secret].join('\n')));

/** joined.hmac = HMAC(K_mac, "parley-invite/1 ack\n" ‖ TH ‖ "\n" ‖ "joined"). */
export const joinedMac = (keys: SessionKeys, th: string): MacHex =>
  macHex(hmac(keys.mac, [`${INVITE_LABEL} ack`, th, 'joined'].join('\n')));

/** The secret as the welcome carries it: base64 of AES-256-CBC(K_enc, IV) of the 32 bytes. */
export const sealSecret = (keys: SessionKeys, secret: Buffer): Base64 => {
  const cipher = createCipheriv('aes-256-cbc', keys.enc, keys.iv);
  return mint(Base64, Buffer.concat([cipher.update(secret), cipher.final()]).toString('base64'));
};

const badSecret = protocolError('bad_mac', 'the welcome did not verify');

/** The 32 secret bytes, once the welcome's MAC verified (the caller checks it first). */
export const openSecret = (keys: SessionKeys, sealed: string): E.Either<ProtocolError, Buffer> => {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length !== SEALED_SECRET_BYTES) return E.left(badSecret);
  try {
    const decipher = createDecipheriv('aes-256-cbc', keys.enc, keys.iv);
    const plain = Buffer.concat([decipher.update(bytes), decipher.final()]);
    return plain.length === SECRET_BYTES ? E.right(plain) : E.left(badSecret);
  } catch {
    return E.left(badSecret); // a padding failure looks exactly like a MAC failure
  }
};

/** The password both sides file: lowercase hex of the 32 secret bytes. */
export const secretPassword = (secret: Buffer): string => secret.toString('hex');

/** A listening port as the join and welcome frames carry it. */
export const isPort = (port: number): boolean =>
  Number.isInteger(port) && port >= 1 && port <= 65535;

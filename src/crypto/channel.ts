/**
 * The one encrypted message of a session and its acknowledgement: seal, verify-then-open,
 * and the ack MAC. Pure functions over node:crypto; no I/O.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { type ProtocolError, protocolError } from '../codecs/errors.js';
import { Base64, isRealInstant, Length, MacHex, mint } from '../codecs/formats.js';
import type { MessageFrame, MessageHeader } from '../codecs/frames.js';
import { hmac, macEquals, type SessionKeys } from './schedule.js';

export const HMAC_TYPE = 'SHA256';
export const ENC_TYPE = 'AES256CBC';

/** The usernames the handshake established, which the header must repeat. */
export interface Parties {
  readonly from: string;
  readonly to: string;
}

/** hmac = HMAC(K_mac, "parley/1 message\n" ‖ TH ‖ "\n" ‖ msg_id ‖ … ‖ "\n" ‖ message). */
export const messageMac = (
  keys: SessionKeys,
  th: string,
  header: MessageHeader,
  message: string,
): MacHex =>
  macHex(
    hmac(
      keys.mac,
      [
        'parley/1 message',
        th,
        header.msg_id,
        header.from,
        header.to,
        header.timestamp,
        String(header.length),
        message,
      ].join('\n'),
    ),
  );

const macHex = (mac: Buffer): MacHex => mint(MacHex, mac.toString('hex'));

/** ack.hmac = HMAC(K_mac, "parley/1 ack\n" ‖ TH ‖ "\n" ‖ msg_id ‖ "\n" ‖ status). */
export const ackMac = (keys: SessionKeys, th: string, msgId: string, status: string): MacHex =>
  macHex(hmac(keys.mac, ['parley/1 ack', th, msgId, status].join('\n')));

/**
 * listen.hmac = HMAC(K_mac, "parley/1 listen\n" ‖ TH ‖ "\n" ‖ decimal port): the port an
 * initiator listens on, bound to this session (not replayable into another).
 */
export const listenMac = (keys: SessionKeys, th: string, port: number): MacHex =>
  macHex(hmac(keys.mac, ['parley/1 listen', th, String(port)].join('\n')));

/** Encrypt and authenticate one plaintext as a complete message frame. */
export const seal = (
  keys: SessionKeys,
  th: string,
  header: Omit<MessageHeader, 'length'>,
  plaintext: string,
): MessageFrame => {
  const bytes = Buffer.from(plaintext, 'utf8');
  const cipher = createCipheriv('aes-256-cbc', keys.enc, keys.iv); // PKCS#7 padding by default
  const message = mint(
    Base64,
    Buffer.concat([cipher.update(bytes), cipher.final()]).toString('base64'),
  );
  const fullHeader: MessageHeader = { ...header, length: mint(Length, bytes.length) };
  return {
    type: 'message',
    header: fullHeader,
    message,
    security: {
      hmac_type: HMAC_TYPE,
      enc_type: ENC_TYPE,
      hmac: messageMac(keys, th, fullHeader, message),
    },
  };
};

const badMac = protocolError('bad_mac', 'the message did not verify');
const inconsistent = (why: string) => protocolError('inconsistent_header', why);

const decrypt = (keys: SessionKeys, message: string): E.Either<ProtocolError, Buffer> =>
  E.tryCatch(
    () => {
      const decipher = createDecipheriv('aes-256-cbc', keys.enc, keys.iv);
      return Buffer.concat([decipher.update(Buffer.from(message, 'base64')), decipher.final()]);
    },
    () => badMac,
  ); // a padding failure must look exactly like a MAC failure (no oracle)

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The control checks, in the contract's order, after MAC and decryption succeeded. */
const checkHeader = (
  frame: MessageFrame,
  parties: Parties,
  plain: Buffer,
): E.Either<ProtocolError, string> => {
  const { header, security } = frame;
  if (security.hmac_type !== HMAC_TYPE)
    return E.left(inconsistent(`hmac_type must be ${HMAC_TYPE}`));
  if (security.enc_type !== ENC_TYPE) return E.left(inconsistent(`enc_type must be ${ENC_TYPE}`));
  if (header.from !== parties.from || header.to !== parties.to) {
    return E.left(inconsistent('header from/to differ from the handshake usernames'));
  }
  if (header.length !== plain.length) {
    return E.left(
      inconsistent(`header length ${header.length} but ${plain.length} bytes decrypted`),
    );
  }
  return E.chain((text: string) =>
    isRealInstant(header.timestamp)
      ? E.right(text)
      : E.left(inconsistent('the timestamp is not a real instant')),
  )(
    E.tryCatch(
      () => utf8.decode(plain),
      () => inconsistent('the plaintext is not valid UTF-8'),
    ),
  );
};

/**
 * Verify, then decrypt, then check the header: the order of parley/1. Nothing is decrypted
 * before the MAC verified; the first failure is the answer.
 */
export const open = (
  keys: SessionKeys,
  th: string,
  frame: MessageFrame,
  parties: Parties,
): E.Either<ProtocolError, string> => {
  const expected = messageMac(keys, th, frame.header, frame.message);
  if (!macEquals(expected, frame.security.hmac)) return E.left(badMac);
  return E.chain((plain: Buffer) => checkHeader(frame, parties, plain))(
    decrypt(keys, frame.message),
  );
};

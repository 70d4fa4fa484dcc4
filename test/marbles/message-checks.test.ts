/**
 * Messages whose MAC verifies but whose contents do not hold up: sealed with the vector
 * session's own keys, as a sender that knows the secret but lies in its header would do.
 * The checks run in the contract's order: MAC, decryption and padding, then the header.
 */
import { createCipheriv } from 'node:crypto';
import { describe, it } from 'vitest';
import type { ErrorCode } from '../../src/codecs/errors.js';
import type { MessageFrame, MessageHeader } from '../../src/codecs/frames.js';
import { messageMac, seal } from '../../src/crypto/channel.js';
import type { SessionKeys } from '../../src/crypto/schedule.js';
import { vectorFrames } from '../support/actors.js';
import { marbles } from '../support/marbles.js';
import {
  answer,
  CLOSE,
  emit,
  frame,
  rejected,
  responderEffects$,
  send,
} from '../support/scripted.js';
import { VECTORS } from '../support/vectors.js';

describe.each(VECTORS.map((v) => [v.group, v] as const))('message checks, %s', (_, v) => {
  const f = vectorFrames(v);
  const keys: SessionKeys = {
    enc: Buffer.from(v.keys.enc, 'hex'),
    iv: Buffer.from(v.keys.iv, 'hex'),
    mac: Buffer.from(v.keys.mac, 'hex'),
    auth: Buffer.from(v.keys.auth, 'hex'),
  };
  const th = v.transcript_hash;
  const header = v.message_frame.header;

  /** A frame carrying `ciphertext` as is, with a MAC that verifies. */
  const withValidMac = (ciphertext: Buffer, h: MessageHeader = header): MessageFrame => {
    const message = ciphertext.toString('base64');
    return {
      ...v.message_frame,
      header: h,
      message,
      security: { ...v.message_frame.security, hmac: messageMac(keys, th, h, message) },
    } as MessageFrame;
  };
  const encrypt = (plain: Buffer) => {
    const cipher = createCipheriv('aes-256-cbc', keys.enc, keys.iv);
    return Buffer.concat([cipher.update(plain), cipher.final()]);
  };

  const expectAnswer = (message: MessageFrame, code: ErrorCode, why: string) =>
    marbles((scheduler, { cold, expectObservable }) => {
      const inbound$ = cold('-h-d-a-X', {
        h: frame(f.helloI),
        d: frame(f.dhI),
        a: frame(f.authI),
        X: frame(message),
      });
      expectObservable(responderEffects$(v, inbound$, { scheduler })).toBe('-H-D-A-(erx|)', {
        H: send(f.helloR),
        D: send(f.dhR),
        A: send(f.authR),
        e: answer(code, why),
        r: emit({
          kind: 'rejected',
          failure: rejected(code, why),
          step: 'awaitingMessage',
          peer: 'alice',
          stranger: false,
        }),
        x: CLOSE,
      });
    });

  it('bad padding under a valid MAC is bad_mac, exactly like a bad MAC (no padding oracle)', () => {
    const garbage = Buffer.alloc(32, 0x41); // decrypts to bytes that are not PKCS#7 padding
    expectAnswer(withValidMac(garbage), 'bad_mac', 'the message did not verify');
  });

  it('a header naming other users than the handshake is inconsistent_header', () => {
    const lie = seal(keys, th, { ...header, from: 'mallory' } as MessageHeader, v.plaintext);
    expectAnswer(lie, 'inconsistent_header', 'header from/to differ from the handshake usernames');
  });

  it('a length that differs from the decrypted bytes is inconsistent_header', () => {
    const plain = Buffer.from(v.plaintext, 'utf8');
    const wrong = { ...header, length: plain.length - 1 } as MessageHeader;
    expectAnswer(
      withValidMac(encrypt(plain), wrong),
      'inconsistent_header',
      `header length ${plain.length - 1} but ${plain.length} bytes decrypted`,
    );
  });

  it('a plaintext that is not UTF-8 is inconsistent_header', () => {
    const bytes = Buffer.from([0xc3, 0x28, 0xff]);
    const h = { ...header, length: bytes.length } as MessageHeader;
    expectAnswer(
      withValidMac(encrypt(bytes), h),
      'inconsistent_header',
      'the plaintext is not valid UTF-8',
    );
  });

  it('a timestamp that names no real instant (30 February) is inconsistent_header', () => {
    const h = { ...header, timestamp: '2026-02-30T12:00:00.000Z' } as MessageHeader;
    const bytes = Buffer.from(v.plaintext, 'utf8');
    expectAnswer(
      withValidMac(encrypt(bytes), h),
      'inconsistent_header',
      'the timestamp is not a real instant',
    );
  });
});

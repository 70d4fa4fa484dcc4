/**
 * The auth's optional `listen`: decoded with it and without it, refused malformed, and its
 * MAC reproduced from the vector file (test/fixtures/listen-v1.json, computed with Python's
 * hmac from the first parley-v1 case). A parley/1 codec that does not know the field (the
 * contract's auth: type and proof only) still accepts the frame: unknown fields are ignored.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { decodeLine, encodeFrame } from '../../src/codecs/line.js';
import { listenMac } from '../../src/crypto/channel.js';
import listen from '../fixtures/listen-v1.json' with { type: 'json' };
import vectors from '../fixtures/parley-v1.json' with { type: 'json' };

const [vector] = listen.cases;
if (vector === undefined) throw new Error('fixture: one case expected');
const source = vectors.cases[vector.from_case];
if (source === undefined) throw new Error('fixture: the source case is missing');

const keys = {
  enc: Buffer.from(source.keys.enc, 'hex'),
  iv: Buffer.from(source.keys.iv, 'hex'),
  mac: Buffer.from(source.keys.mac, 'hex'),
  auth: Buffer.from(source.keys.auth, 'hex'),
};

describe('the listen vector', () => {
  it('comes from the parley-v1 case it names', () => {
    expect(vector.k_mac).toBe(source.keys.mac);
    expect(vector.transcript_hash).toBe(source.transcript_hash);
    expect(vector.mac_input).toBe(`parley/1 listen\n${source.transcript_hash}\n5002`);
  });

  it('listenMac reproduces its hmac', () => {
    expect(listenMac(keys, vector.transcript_hash, vector.port)).toBe(vector.hmac);
  });

  it('another port gives another hmac', () => {
    expect(listenMac(keys, vector.transcript_hash, 5003)).not.toBe(vector.hmac);
  });
});

describe('the auth frame with and without listen', () => {
  const line = (v: unknown) => JSON.stringify(v);

  it('decodes the vector auth with listen, and writes it back byte for byte', () => {
    const decoded = decodeLine(line(vector.auth_frame));
    expect(decoded).toEqual(E.right(vector.auth_frame));
    if (E.isRight(decoded)) expect(encodeFrame(decoded.right)).toBe(`${line(vector.auth_frame)}\n`);
  });

  it('decodes an auth without listen as before (listen absent)', () => {
    const auth = { type: 'auth', proof: source.proof_initiator };
    const decoded = decodeLine(line(auth));
    expect(E.isRight(decoded) && decoded.right.type === 'auth' && decoded.right.listen).toBe(
      undefined,
    );
    if (E.isRight(decoded)) expect(encodeFrame(decoded.right)).toBe(`${line(auth)}\n`);
  });

  it.each([
    ['a port as a string', { port: '5002', hmac: vector.hmac }],
    ['port 0', { port: 0, hmac: vector.hmac }],
    ['port 65536', { port: 65_536, hmac: vector.hmac }],
    ['a fractional port', { port: 50.5, hmac: vector.hmac }],
    ['no hmac', { port: 5002 }],
    ['a short hmac', { port: 5002, hmac: 'ab'.repeat(31) }],
    ['a number', 5002],
    ['null', null],
  ])('refuses listen with %s as malformed_frame', (_, bad) => {
    const decoded = decodeLine(line({ ...vector.auth_frame, listen: bad }));
    expect(E.isLeft(decoded) && decoded.left.code).toBe('malformed_frame');
  });

  it("a codec that does not know listen (the contract's auth) ignores it", () => {
    const OldAuth = t.type({ type: t.literal('auth'), proof: t.string });
    const decoded = OldAuth.decode(JSON.parse(line(vector.auth_frame)));
    expect(E.isRight(decoded)).toBe(true);
  });
});

import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/codecs/frames.js';
import { decodeLine, encodeFrame } from '../../src/codecs/line.js';
import { describeErrors, showValue } from '../../src/codecs/report.js';
import { MAX_FRAME_BYTES, MAX_FRAME_DEPTH } from '../../src/limits.js';
import vectors from '../fixtures/parley-v1.json' with { type: 'json' };

const [modp14, x25519] = vectors.cases;
if (modp14 === undefined || x25519 === undefined) throw new Error('fixture: two cases expected');

const USERNAME_RULE = 'a username of 1–64 characters without control characters';

// One valid frame of each type, from the known-answer vectors where the contract gives values.
const FRAMES = {
  hello: {
    type: 'hello',
    version: 1,
    from: 'alice',
    to: 'bob',
    nonce: modp14.initiator.nonce,
  },
  dhModp14: { type: 'dh', group: 'modp14', public: modp14.initiator.public },
  dhX25519: { type: 'dh', group: 'x25519', public: x25519.initiator.public },
  auth: { type: 'auth', proof: modp14.proof_initiator },
  message: modp14.message_frame,
  bye: { type: 'bye' },
  ack: modp14.ack_frame,
  error: { type: 'error', code: 'auth_failed', message: 'the proof did not verify' },
} as const;

const decode = (value: unknown) => decodeLine(JSON.stringify(value));

const malformed = (message: string) => E.left({ code: 'malformed_frame', message });

const decoded = (value: unknown): Frame => {
  const result = decode(value);
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

const { hello, message, ack } = FRAMES;
const withHeader = (fields: Record<string, unknown>) => ({
  ...message,
  header: { ...message.header, ...fields },
});

describe('decodeLine: every frame of the contract', () => {
  it.each(Object.entries(FRAMES))('decodes %s', (_, frame) => {
    expect(decode(frame)).toEqual(E.right(frame));
  });

  it('decodes the message and ack frames of both vector cases', () => {
    for (const vector of [modp14, x25519]) {
      expect(decode(vector.message_frame)).toEqual(E.right(vector.message_frame));
      expect(decode(vector.ack_frame)).toEqual(E.right(vector.ack_frame));
    }
  });

  it('accepts `to: null` in hello (a destination entered by hand)', () => {
    expect(decode({ ...hello, to: null })).toEqual(E.right({ ...hello, to: null }));
  });

  it('ignores unknown extra fields, at the top and inside the header and security', () => {
    const extended = {
      ...withHeader({ priority: 'high' }),
      security: { ...message.security, note: 1 },
      trace: { hops: [1, 2] },
    };
    expect(E.isRight(decode(extended))).toBe(true);
    expect(E.isRight(decode({ ...hello, client: 'parley-py 0.3' }))).toBe(true);
  });

  it('accepts a username of 64 emoji (code points, not UTF-16 units) and a length of 65536', () => {
    expect(E.isRight(decode({ ...hello, from: '😀'.repeat(64) }))).toBe(true);
    expect(E.isRight(decode(withHeader({ length: 65_536 })))).toBe(true);
  });

  it('leaves version, group, status and code to the actors (any number or string)', () => {
    expect(E.isRight(decode({ ...hello, version: 2 }))).toBe(true);
    expect(E.isRight(decode({ ...FRAMES.dhModp14, group: 'ffdhe4096' }))).toBe(true);
    expect(E.isRight(decode({ ...ack, status: 'refused' }))).toBe(true);
    expect(E.isRight(decode({ ...FRAMES.error, code: 'from_the_future' }))).toBe(true);
  });
});

describe('decodeLine: lines that are not frames', () => {
  it('rejects a line that is not JSON', () => {
    expect(decodeLine('{"type":"bye"')).toEqual(malformed('the line is not valid JSON'));
    expect(decodeLine('')).toEqual(malformed('the line is not valid JSON'));
  });

  it.each([['[]'], ['"bye"'], ['null'], ['42']])('rejects %s, not an object', (line) => {
    expect(decodeLine(line)).toEqual(malformed('a frame must be a JSON object'));
  });

  it('rejects a missing or unknown type', () => {
    expect(decode({ from: 'alice' })).toEqual(malformed("field 'type' is missing"));
    expect(decode({ type: 'helo' })).toEqual(malformed('unknown frame type "helo"'));
    expect(decode({ type: '__proto__' })).toEqual(malformed('unknown frame type "__proto__"'));
    expect(decode({ type: 7 })).toEqual(malformed('unknown frame type 7'));
  });
});

describe('decodeLine: nesting, bounded before parsing', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const tooDeep = malformed(`a frame may nest arrays and objects at most ${MAX_FRAME_DEPTH} deep`);

  it.each([
    ['a field of a hello', (v: string) => `{"type":"hello","version":1,"from":${v},"nonce":"00"}`],
    ['the type', (v: string) => `{"type":${v}}`],
    ['an unknown extra field of a bye', (v: string) => `{"type":"bye","extra":${v}}`],
  ])('answers arrays nested 300,000 deep in %s malformed_frame', (_, frame) => {
    expect(decodeLine(frame(nested(300_000)))).toEqual(tooDeep);
  });

  it(`accepts ${MAX_FRAME_DEPTH} levels, the frame included, and refuses one more`, () => {
    const bye = (depth: number) => `{"type":"bye","extra":${nested(depth - 1)}}`;
    expect(decodeLine(bye(MAX_FRAME_DEPTH))).toMatchObject(E.right({ type: 'bye' }));
    expect(decodeLine(bye(MAX_FRAME_DEPTH + 1))).toEqual(tooDeep);
    const objects = `{"type":"bye","a":${'{"b":'.repeat(MAX_FRAME_DEPTH)}1${'}'.repeat(MAX_FRAME_DEPTH)}}`;
    expect(decodeLine(objects)).toEqual(tooDeep);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = `x\\"${'['.repeat(100)}\\"{{{`;
    const line = JSON.stringify({ type: 'error', code: 'timeout', message: text });
    expect(decodeLine(line)).toEqual(E.right({ type: 'error', code: 'timeout', message: text }));
  });

  it('describes a value nested 300,000 deep in a few characters, without recursing into it', () => {
    let value: unknown = 1;
    for (let i = 0; i < 300_000; i++) value = i % 2 === 0 ? [value] : { a: value };
    expect(showValue(value)).toBe('{"a":[{"a":[{"a":[{"a":[{...}]}]}]}]}');
    const errors = [{ value, context: [], message: undefined }];
    expect(describeErrors(errors)).toMatch(/^value: expected a value, got \{"a":\[/);
  });
});

// [frame, the sentence that rejects it]
const BAD_FIELDS: ReadonlyArray<readonly [unknown, string]> = [
  [
    { ...hello, nonce: 'xyz' },
    `hello frame: field 'nonce': expected 32 lowercase hex characters, got "xyz"`,
  ],
  [
    { ...hello, nonce: modp14.initiator.nonce.toUpperCase() },
    `hello frame: field 'nonce': expected 32 lowercase hex characters, got "00112233445566778899AABBCCDDEEFF"`,
  ],
  [{ ...hello, version: '1' }, `hello frame: field 'version': expected a number, got "1"`],
  [{ ...hello, from: '' }, `hello frame: field 'from': expected ${USERNAME_RULE}, got ""`],
  [
    { ...hello, from: 'a\u0000b' },
    `hello frame: field 'from': expected ${USERNAME_RULE}, got "a\\u0000b"`,
  ],
  [
    { ...hello, from: 'a\u007fb' },
    `hello frame: field 'from': expected ${USERNAME_RULE}, got "a\\u007fb"`,
  ],
  // Stricter than the contract's list: C1 and bidirectional controls, ill-formed UTF-16.
  [
    { ...hello, from: 'a\u009bb' },
    `hello frame: field 'from': expected ${USERNAME_RULE}, got "a\\u009bb"`,
  ],
  [
    { ...hello, from: 'bob\u202eevil' },
    `hello frame: field 'from': expected ${USERNAME_RULE}, got "bob\\u202eevil"`,
  ],
  [
    { ...hello, from: 'a\ud800' },
    `hello frame: field 'from': expected ${USERNAME_RULE}, got "a\\ud800"`,
  ],
  [
    { ...hello, from: 'a'.repeat(65) },
    `hello frame: field 'from': expected ${USERNAME_RULE}, got "${'a'.repeat(56)}...`,
  ],
  [
    { ...hello, from: '😀'.repeat(65) },
    `hello frame: field 'from': expected ${USERNAME_RULE}, got "${'😀'.repeat(56)}...`,
  ],
  [{ ...hello, to: 5 }, `hello frame: field 'to': expected ${USERNAME_RULE} or null, got 5`],
  [
    { ...FRAMES.dhModp14, public: 'ABCD' },
    `dh frame: field 'public': expected lowercase hex, got "ABCD"`,
  ],
  [
    { ...FRAMES.dhModp14, public: 'abc' },
    `dh frame: field 'public': expected lowercase hex, got "abc"`,
  ],
  [{ ...FRAMES.dhModp14, group: 14 }, `dh frame: field 'group': expected a string, got 14`],
  [
    { type: 'auth', proof: 'ab'.repeat(31) },
    `auth frame: field 'proof': expected 64 lowercase hex characters, got "${'ab'.repeat(28)}...`,
  ],
  [
    withHeader({ msg_id: message.header.msg_id.toUpperCase() }),
    `message frame: field 'header.msg_id': expected a lowercase UUID (8-4-4-4-12 hex), got "3F1C2D4E-5A6B-4C7D-8E9F-0A1B2C3D4E5F"`,
  ],
  [
    withHeader({ msg_id: '3f1c2d4e5a6b4c7d8e9f0a1b2c3d4e5f' }),
    `message frame: field 'header.msg_id': expected a lowercase UUID (8-4-4-4-12 hex), got "3f1c2d4e5a6b4c7d8e9f0a1b2c3d4e5f"`,
  ],
  [
    withHeader({ to: 'b\nob' }),
    `message frame: field 'header.to': expected ${USERNAME_RULE}, got "b\\nob"`,
  ],
  [
    withHeader({ timestamp: '2026-11-21 12:00:00' }),
    `message frame: field 'header.timestamp': expected a UTC timestamp YYYY-MM-DDTHH:MM:SS.sssZ, got "2026-11-21 12:00:00"`,
  ],
  [
    withHeader({ length: 65_537 }),
    `message frame: field 'header.length': expected an integer from 0 to 65536, got 65537`,
  ],
  [
    withHeader({ length: -1 }),
    `message frame: field 'header.length': expected an integer from 0 to 65536, got -1`,
  ],
  [
    withHeader({ length: 1.5 }),
    `message frame: field 'header.length': expected an integer from 0 to 65536, got 1.5`,
  ],
  [
    withHeader({ length: '21' }),
    `message frame: field 'header.length': expected an integer from 0 to 65536, got "21"`,
  ],
  [
    { ...message, message: 'not base64!' },
    `message frame: field 'message': expected standard base64 with padding, got "not base64!"`,
  ],
  [
    { ...message, message: 'OSNSGLm46j1QaItT2B4qBeSeEj5SKtfv3CybLsldNiY' },
    `message frame: field 'message': expected standard base64 with padding, got "OSNSGLm46j1QaItT2B4qBeSeEj5SKtfv3CybLsldNiY"`,
  ],
  [
    { ...message, message: 'OSNSGLm46j1QaItT2B4qBeSeEj5SKtfv3CybLsldNiY_' },
    `message frame: field 'message': expected standard base64 with padding, got "OSNSGLm46j1QaItT2B4qBeSeEj5SKtfv3CybLsldNiY_"`,
  ],
  [
    { ...message, security: { ...message.security, hmac: 'zz' } },
    `message frame: field 'security.hmac': expected 64 lowercase hex characters, got "zz"`,
  ],
  [
    { ...message, security: { ...message.security, enc_type: null } },
    `message frame: field 'security.enc_type': expected a string, got null`,
  ],
  [
    { ...ack, msg_id: 'not-a-uuid' },
    `ack frame: field 'msg_id': expected a lowercase UUID (8-4-4-4-12 hex), got "not-a-uuid"`,
  ],
  [
    { ...ack, hmac: ack.hmac.toUpperCase().slice(0, 8) },
    `ack frame: field 'hmac': expected 64 lowercase hex characters, got "1471E573"`,
  ],
  [{ ...ack, status: true }, `ack frame: field 'status': expected a string, got true`],
  [{ ...FRAMES.error, code: 5 }, `error frame: field 'code': expected a string, got 5`],
];

const MISSING_FIELDS: ReadonlyArray<readonly [unknown, string]> = [
  [
    { type: 'hello', version: 1, from: 'alice', nonce: modp14.initiator.nonce },
    "hello frame: field 'to' is missing",
  ],
  [{ ...hello, nonce: undefined }, "hello frame: field 'nonce' is missing"],
  [{ type: 'dh', group: 'x25519' }, "dh frame: field 'public' is missing"],
  [{ type: 'auth' }, "auth frame: field 'proof' is missing"],
  [{ ...message, header: undefined }, "message frame: field 'header' is missing"],
  [withHeader({ to: undefined }), "message frame: field 'header.to' is missing"],
  [{ ...message, security: undefined }, "message frame: field 'security' is missing"],
  [{ ...ack, status: undefined }, "ack frame: field 'status' is missing"],
  [{ type: 'error', code: 'busy' }, "error frame: field 'message' is missing"],
];

describe('decodeLine: each field format, with the exact sentence', () => {
  it.each(BAD_FIELDS.map(([frame, sentence]) => [sentence, frame]))('%s', (sentence, frame) => {
    expect(decode(frame)).toEqual(malformed(sentence as string));
  });

  it.each(MISSING_FIELDS.map(([frame, sentence]) => [sentence, frame]))('%s', (sentence, frame) => {
    expect(decode(frame)).toEqual(malformed(sentence as string));
  });

  it('shortens a long value between code points, never inside an emoji', () => {
    const result = decode({ ...hello, from: `a${'😀'.repeat(70)}` });
    const sentence = `hello frame: field 'from': expected ${USERNAME_RULE}, got "a${'😀'.repeat(55)}...`;
    expect(result).toEqual(malformed(sentence));
    const message = E.isLeft(result) ? result.left.message : '';
    expect(Buffer.from(message, 'utf8').toString('utf8')).toBe(message);
  });

  it('rejects a header that is not an object (io-ts names an unnamed t.type by its fields)', () => {
    expect(decode({ ...message, header: 'h' })).toEqual(
      malformed(
        "message frame: field 'header': expected { msg_id: Uuid, from: Username, to: Username, " +
          'timestamp: Timestamp, length: Length }, got "h"',
      ),
    );
  });
});

describe('decodeLine: the size limit, checked before parsing', () => {
  const tooLarge = E.left({
    code: 'frame_too_large',
    message: `a frame may be at most ${MAX_FRAME_BYTES} bytes`,
  });

  it('accepts a line of 1,048,575 bytes (1,048,576 with its newline)', () => {
    const bye = '{"type":"bye"}';
    const line = bye + ' '.repeat(MAX_FRAME_BYTES - 1 - bye.length);
    expect(decodeLine(line)).toEqual(E.right({ type: 'bye' }));
  });

  it('rejects a line of 1,048,576 bytes', () => {
    const bye = '{"type":"bye"}';
    expect(decodeLine(bye + ' '.repeat(MAX_FRAME_BYTES - bye.length))).toEqual(tooLarge);
  });

  it('rejects 2 MiB of invalid JSON as too large, not as malformed', () => {
    expect(decodeLine('{'.repeat(2 * 1_048_576))).toEqual(tooLarge);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const euros = '€'.repeat(Math.ceil(MAX_FRAME_BYTES / 3));
    expect(decodeLine(JSON.stringify({ ...FRAMES.error, message: euros }))).toEqual(tooLarge);
  });

  it('trusts the byte length the framing operator measured', () => {
    expect(decodeLine('{"type":"bye"}', MAX_FRAME_BYTES + 1)).toEqual(tooLarge);
    expect(decodeLine('{"type":"bye"}', MAX_FRAME_BYTES)).toEqual(E.right({ type: 'bye' }));
  });
});

describe('encodeFrame', () => {
  it.each(Object.entries(FRAMES))('round-trips %s', (_, value) => {
    const frame = decoded(value);
    const line = encodeFrame(frame);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(decodeLine(line.slice(0, -1))).toEqual(E.right(frame));
  });

  it('round-trips `to: null` and non-ASCII usernames, and keeps a newline escaped', () => {
    const frame = decoded({ ...hello, to: null, from: 'émilie 😀' });
    expect(decodeLine(encodeFrame(frame).slice(0, -1))).toEqual(E.right(frame));
    const error = decoded({ ...FRAMES.error, message: 'line one\nline two' });
    expect(encodeFrame(error).split('\n')).toHaveLength(2);
  });
});

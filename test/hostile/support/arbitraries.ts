/**
 * fast-check arbitraries for parley/1 (shared by test/property and test/hostile): valid frames
 * of every type, and the ways an attacker bends a valid one (a changed field, a removed field,
 * a value of another type).
 */
import fc from 'fast-check';
import type { Frame } from '../../../src/codecs/frames.js';

export type Json = Record<string, unknown>;

/** How many runs each property gets: modest, so the whole suite stays well under 20 s. */
export const RUNS = { numRuns: 500 } as const;

const hex = (length: number) =>
  fc
    .uint8Array({ minLength: length / 2, maxLength: length / 2 })
    .map((b) => Buffer.from(b).toString('hex'));

// Any code point but those a username refuses: control characters (C0, DEL, C1), the
// bidirectional controls, and lone surrogates.
const BIDI_CONTROLS = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e];
const nameChar = fc
  .integer({ min: 0x20, max: 0x10ffff })
  .filter(
    (c) =>
      (c < 0x7f || c > 0x9f) &&
      (c < 0xd800 || c > 0xdfff) &&
      (c < 0x2066 || c > 0x2069) &&
      !BIDI_CONTROLS.includes(c),
  )
  .map((c) => String.fromCodePoint(c));
export const username = fc
  .array(fc.oneof(fc.constantFrom('a', 'b', '"', '\\', ' ', '\u2028', '😀'), nameChar), {
    minLength: 1,
    maxLength: 64,
  })
  .map((chars) => chars.join(''));

const uuid = fc.uuid().map((u) => u.toLowerCase());
const timestamp = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z') })
  .filter((d) => !Number.isNaN(d.getTime()))
  .map((d) => d.toISOString());
const base64 = fc.uint8Array({ maxLength: 96 }).map((b) => Buffer.from(b).toString('base64'));

export const helloFrame = fc.record({
  type: fc.constant('hello'),
  version: fc.integer(),
  from: username,
  to: fc.option(username, { nil: null }),
  nonce: hex(32),
});
export const dhFrame = fc.record({
  type: fc.constant('dh'),
  group: fc.oneof(fc.constantFrom('cpace-ristretto255', 'modp14', 'x25519'), fc.string()),
  public: fc.oneof(hex(64), hex(512), hex(2)),
});
export const authFrame = fc.record({ type: fc.constant('auth'), proof: hex(64) });
export const messageFrame = fc.record({
  type: fc.constant('message'),
  header: fc.record({
    msg_id: uuid,
    from: username,
    to: username,
    timestamp,
    length: fc.integer({ min: 0, max: 65_536 }),
  }),
  message: base64,
  security: fc.record({ hmac_type: fc.string(), enc_type: fc.string(), hmac: hex(64) }),
});
export const byeFrame = fc.constant({ type: 'bye' });
export const ackFrame = fc.record({
  type: fc.constant('ack'),
  msg_id: uuid,
  status: fc.string(),
  hmac: hex(64),
});
export const errorFrame = fc.record({
  type: fc.constant('error'),
  code: fc.string(),
  message: fc.string({ unit: 'binary' }),
});

/** A valid frame of any type. */
export const anyFrame: fc.Arbitrary<Frame> = fc.oneof(
  helloFrame,
  dhFrame,
  authFrame,
  messageFrame,
  byeFrame,
  ackFrame,
  errorFrame,
) as fc.Arbitrary<Frame>;

/** The dotted paths of every leaf field of a frame (`header.msg_id`, `proof`, …). */
export const leafPaths = (value: Json, prefix: string[] = []): string[][] =>
  Object.entries(value).flatMap(([key, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? leafPaths(v as Json, [...prefix, key])
      : [[...prefix, key]],
  );

/** A copy of `value` with the field at `path` rewritten (or removed, when `change` says so). */
export const updateAt = (
  value: Json,
  path: readonly string[],
  change: (old: unknown) => unknown,
): Json => {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  const copy = { ...value };
  const next = rest.length === 0 ? change(copy[key]) : updateAt(copy[key] as Json, rest, change);
  if (next === REMOVE) delete copy[key];
  else copy[key] = next;
  return copy;
};
export const REMOVE = Symbol('remove');

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Flip one bit of a value, keeping it well formed where it can be (a hex digit for a hex digit,
 * a base64 character for a base64 character), as an attacker who wants it to pass the codec.
 */
export const flip = (value: unknown, seed: number): unknown => {
  if (typeof value === 'number') return value ^ 1;
  if (typeof value !== 'string') return 'x';
  if (value.length === 0) return 'x';
  const at = seed % value.length;
  const ch = value[at]!;
  const alphabet = /^[0-9a-f]+$/.test(value) ? HEX : /^[A-Za-z0-9+/=]+$/.test(value) ? B64 : '';
  const i = alphabet.indexOf(ch);
  const flipped = i >= 0 ? alphabet[i ^ 1]! : String.fromCharCode(ch.charCodeAt(0) ^ 1);
  return value.slice(0, at) + flipped + value.slice(at + 1);
};

/** One change to one field of a frame: a bit flip, another JSON value, or no field at all. */
export type FieldChange =
  | { readonly kind: 'flip'; readonly field: number; readonly seed: number }
  | { readonly kind: 'replace'; readonly field: number; readonly value: unknown }
  | { readonly kind: 'remove'; readonly field: number };

export const fieldChange: fc.Arbitrary<FieldChange> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('flip'), field: fc.nat(), seed: fc.nat() }),
  },
  fc.record({ kind: fc.constant('replace'), field: fc.nat(), value: fc.jsonValue() }),
  fc.record({ kind: fc.constant('remove'), field: fc.nat() }),
) as fc.Arbitrary<FieldChange>;

/** Apply a change to one of the frame's leaf fields (`field` picks which, modulo their count). */
export const changeField = (frame: Json, change: FieldChange): Json => {
  const paths = leafPaths(frame);
  // A frame with no field but its type (bye) has its type changed.
  const path = paths[change.field % paths.length] ?? ['type'];
  switch (change.kind) {
    case 'flip':
      return updateAt(frame, path, (old) => flip(old, change.seed));
    case 'replace':
      return updateAt(frame, path, () => change.value);
    case 'remove':
      return updateAt(frame, path, () => REMOVE);
  }
};

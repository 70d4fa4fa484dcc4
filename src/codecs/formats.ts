/**
 * Branded io-ts codecs for the field formats of parley/1 (docs/PROTOCOL.md, "Field formats").
 * Each brand's name is also the key the error reporter uses to describe what was expected.
 */
import * as t from 'io-ts';
import { MAX_PLAINTEXT_BYTES, MAX_SECRET_CHARS, MAX_USERNAME_CHARS } from '../limits.js';

const lowerHex = (chars: number) => new RegExp(`^[0-9a-f]{${chars}}$`);
const codePoints = (s: string): number => [...s].length;

/**
 * Not in a username: the contract's control characters (U+0000–U+001F, U+007F), and also the
 * C1 controls (U+0080–U+009F, CSI among them) and the bidirectional controls (U+202E makes
 * `bob\u202eevil` read as `bobeliv`). A name is shown to people; it must read as what it is.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it refuses.
const NOT_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** 1–64 characters, none of them a control character, and well-formed (no lone surrogate). */
export const isUsername = (s: string): boolean =>
  s.length > 0 && codePoints(s) <= MAX_USERNAME_CHARS && !NOT_IN_NAMES.test(s) && s.isWellFormed();

export interface UsernameBrand {
  readonly Username: unique symbol;
}
export const Username = t.brand(
  t.string,
  (s): s is t.Branded<string, UsernameBrand> => isUsername(s),
  'Username',
);
export type Username = t.TypeOf<typeof Username>;

export interface SecretBrand {
  readonly Secret: unique symbol;
}
export const Secret = t.brand(
  t.string,
  (s): s is t.Branded<string, SecretBrand> => s.length > 0 && codePoints(s) <= MAX_SECRET_CHARS,
  'Secret',
);
export type Secret = t.TypeOf<typeof Secret>;

const NONCE = lowerHex(32);
export interface NonceBrand {
  readonly Nonce: unique symbol;
}
export const Nonce = t.brand(
  t.string,
  (s): s is t.Branded<string, NonceBrand> => NONCE.test(s),
  'Nonce',
);
export type Nonce = t.TypeOf<typeof Nonce>;

const MAC = lowerHex(64);
export interface MacHexBrand {
  readonly MacHex: unique symbol;
}
/** A proof or an HMAC: 64 lowercase hex characters. */
export const MacHex = t.brand(
  t.string,
  (s): s is t.Branded<string, MacHexBrand> => MAC.test(s),
  'MacHex',
);
export type MacHex = t.TypeOf<typeof MacHex>;

const HEX = /^(?:[0-9a-f]{2})+$/;
export interface PublicHexBrand {
  readonly PublicHex: unique symbol;
}
/** A DH public value in lowercase hex; its exact length depends on the group (checked there). */
export const PublicHex = t.brand(
  t.string,
  (s): s is t.Branded<string, PublicHexBrand> => HEX.test(s),
  'PublicHex',
);
export type PublicHex = t.TypeOf<typeof PublicHex>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export interface UuidBrand {
  readonly Uuid: unique symbol;
}
export const Uuid = t.brand(
  t.string,
  (s): s is t.Branded<string, UuidBrand> => UUID.test(s),
  'Uuid',
);
export type Uuid = t.TypeOf<typeof Uuid>;

/** The shape `YYYY-MM-DDTHH:MM:SS.sssZ`; whether it names a real instant is checked later. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export interface TimestampBrand {
  readonly Timestamp: unique symbol;
}
export const Timestamp = t.brand(
  t.string,
  (s): s is t.Branded<string, TimestampBrand> => TIMESTAMP.test(s),
  'Timestamp',
);
export type Timestamp = t.TypeOf<typeof Timestamp>;

/** True when a well-shaped timestamp also names a real instant (no 30 February). */
export const isRealInstant = (ts: string): boolean => {
  const ms = Date.parse(ts);
  return Number.isFinite(ms) && new Date(ms).toISOString() === ts;
};

export interface LengthBrand {
  readonly Length: unique symbol;
}
export const Length = t.brand(
  t.number,
  (n): n is t.Branded<number, LengthBrand> =>
    Number.isInteger(n) && n >= 0 && n <= MAX_PLAINTEXT_BYTES,
  'Length',
);
export type Length = t.TypeOf<typeof Length>;

export interface MessageTextBrand {
  readonly MessageText: unique symbol;
}
/** A message's text as parley/1 carries it: at most MAX_PLAINTEXT_BYTES of UTF-8. */
export const MessageText = t.brand(
  t.string,
  (s): s is t.Branded<string, MessageTextBrand> =>
    Buffer.byteLength(s, 'utf8') <= MAX_PLAINTEXT_BYTES,
  'MessageText',
);
export type MessageText = t.TypeOf<typeof MessageText>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export interface Base64Brand {
  readonly Base64: unique symbol;
}
export const Base64 = t.brand(
  t.string,
  (s): s is t.Branded<string, Base64Brand> => BASE64.test(s),
  'Base64',
);
export type Base64 = t.TypeOf<typeof Base64>;

/** The DH groups of parley/1; `cpace-ristretto255` is a PAKE: its generator comes from the password. */
export const Group = t.keyof({ 'cpace-ristretto255': null, modp14: null, x25519: null }, 'Group');
export type Group = t.TypeOf<typeof Group>;
export const GROUPS: readonly Group[] = ['cpace-ristretto255', 'modp14', 'x25519'];
/** What a node sends with when neither the contact's entry nor an option names a group. */
export const DEFAULT_GROUP: Group = 'cpace-ristretto255';
export const isGroup = (s: string): s is Group => Group.is(s);

/**
 * Brands a value parley made itself (a nonce, a proof, a header field) through its codec, so
 * that frames are built from branded parts without casts. A value that does not pass is a
 * bug of ours: it throws, and the driver turns that into this connection's internal error.
 */
export const mint = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): A => {
  if (codec.is(value)) return value;
  throw new Error(`parley made an invalid ${codec.name}`);
};

/** What each named codec expects, in words (used by the error reporter). */
export const EXPECTATIONS: Readonly<Record<string, string>> = {
  Username: 'a username of 1–64 characters without control characters',
  Secret: 'a password of 1–1024 characters',
  Nonce: '32 lowercase hex characters',
  MacHex: '64 lowercase hex characters',
  PublicHex: 'lowercase hex',
  Uuid: 'a lowercase UUID (8-4-4-4-12 hex)',
  Timestamp: 'a UTC timestamp YYYY-MM-DDTHH:MM:SS.sssZ',
  Length: `an integer from 0 to ${MAX_PLAINTEXT_BYTES}`,
  MessageText: `a text of at most ${MAX_PLAINTEXT_BYTES} bytes of UTF-8`,
  Base64: 'standard base64 with padding',
  Group: '"cpace-ristretto255", "modp14" or "x25519"',
  string: 'a string',
  number: 'a number',
  null: 'null',
  // An optional field's other branch: "expected a string or absent".
  undefined: 'absent',
};

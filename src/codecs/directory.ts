/**
 * The directory file (parley/1, "Directory file"): the course's JSON list of contacts
 * `{"username", "password", "port", "ip"}`, each with the secret shared with that contact.
 * Decoding keeps each entry's own object, unknown fields and their order included, and only
 * normalises `port`, so that rewriting the file loses nothing a person put in it.
 */

import { isIP } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { type ParleyError, parleyError, reworded } from '../errors.js';
import { MAX_SECRET_CHARS, MAX_USERNAME_CHARS } from '../limits.js';
import { Group, isUsername, Secret, Username } from './formats.js';
import { type JsonSyntaxError, parseJsonText } from './json-text.js';
import { printableText } from './printable.js';
import { showValue } from './report.js';

const MAX_PORT = 65_535;
// Digits only: Number() alone would also take ' 5001', '+5001', '5e3' and '0x1389'.
const DECIMAL = /^[0-9]+$/;

const isPortNumber = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_PORT;

/** A TCP port, 1–65535, written in the file as a number or a decimal string; always a number. */
export const Port = new t.Type<number, number | string, unknown>(
  'Port',
  isPortNumber,
  (u, c) => {
    const n = typeof u === 'string' && DECIMAL.test(u) ? Number(u) : u;
    return isPortNumber(n) ? t.success(n) : t.failure(u, c);
  },
  t.identity,
);
export type Port = t.TypeOf<typeof Port>;

// A host name as DNS spells it; IP literals (v4 and v6) are left to node:net.
const HOST_NAME = /^[A-Za-z0-9.-]{1,253}$/;
export const isHost = (s: string): boolean => isIP(s) !== 0 || HOST_NAME.test(s);

export interface HostBrand {
  readonly Host: unique symbol;
}
export const Host = t.brand(t.string, (s): s is t.Branded<string, HostBrand> => isHost(s), 'Host');
export type Host = t.TypeOf<typeof Host>;

/**
 * A contact: the course's four fields, and an optional `group`, the only DH group used with
 * that contact in either direction (so that pinning it to CPace cannot be downgraded).
 */
export const DirectoryEntry = t.readonly(
  t.intersection([
    t.type({ username: Username, password: Secret, port: Port, ip: Host }),
    t.partial({ group: Group }),
  ]),
  'DirectoryEntry',
);
export type DirectoryEntry = t.TypeOf<typeof DirectoryEntry>;

interface Reuse {
  /** The entry that repeats a username, and the earlier entry that has it (0-based). */
  readonly index: number;
  readonly firstIndex: number;
}

const firstReusedUsername = (
  entries: ReadonlyArray<{ readonly username: string }>,
): Reuse | undefined => {
  const seen = new Map<string, number>();
  for (const [index, { username }] of entries.entries()) {
    const firstIndex = seen.get(username);
    if (firstIndex !== undefined) return { index, firstIndex };
    seen.set(username, index);
  }
  return undefined;
};

export interface UniqueUsernamesBrand {
  readonly UniqueUsernames: unique symbol;
}
/** The contacts, in the file's order; no two share a username (lookups are by username). */
export const Directory = t.brand(
  t.readonlyArray(DirectoryEntry),
  (entries): entries is t.Branded<readonly DirectoryEntry[], UniqueUsernamesBrand> =>
    firstReusedUsername(entries) === undefined,
  'UniqueUsernames',
);
export type Directory = t.TypeOf<typeof Directory>;

/** One sentence naming the file, the entry and the field; never a password. */
export type DirectoryError = ParleyError<'invalid_json' | 'invalid_directory'>;

const SHAPE = '{username, password, port, ip}';

const RULES: Readonly<Record<string, string>> = {
  username: `is not a username (1–${MAX_USERNAME_CHARS} characters, no control characters)`,
  port: `is not a number between 1 and ${MAX_PORT}`,
  ip: 'is not a host name or an IP address',
  group: 'is not a DH group: use "cpace-ristretto255", "modp14" or "x25519", or leave it out',
};
const FIELDS = new Set(['username', 'password', 'port', 'ip', 'group']);

/** A found value, briefly; strings in single quotes with control characters escaped. */
const quote = (value: unknown): string => {
  if (typeof value !== 'string') return showValue(value);
  const chars = [...value];
  const shown = printableText(JSON.stringify(chars.slice(0, 40).join('')).slice(1, -1));
  return `'${shown}${chars.length > 40 ? '…' : ''}'`;
};

const kindOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
};

/** The username an entry can be called by in a message, if it has a valid one. */
const knownUsername = (entry: unknown): string | undefined => {
  const username =
    typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'username') : undefined;
  return typeof username === 'string' && isUsername(username) ? username : undefined;
};

/** `entry 3 (bob)`: counted from 1, as a person counts. */
const entryLabel = (index: number, entry: unknown): string => {
  const name = knownUsername(entry);
  return `entry ${index + 1}${name === undefined ? '' : ` (${name})`}`;
};

const describeField = (field: string, value: unknown): string => {
  if (value === undefined) return `field '${field}' is missing`;
  // Never the value itself: a password is a secret, a mistyped one too.
  if (field === 'password') {
    const what = typeof value === 'string' ? '' : 'a string of ';
    return `password must be ${what}1–${MAX_SECRET_CHARS} characters`;
  }
  return `${field} ${quote(value)} ${RULES[field] ?? 'is not valid'}`;
};

const describeReuse = (entries: readonly unknown[]): string => {
  // The list itself fails only on its brand, checked once every entry is valid.
  const reuse = firstReusedUsername(entries as readonly DirectoryEntry[]);
  if (reuse === undefined) return 'the contacts are not valid';
  const entry = entries[reuse.index] as DirectoryEntry;
  const where = entryLabel(reuse.index, entry);
  return `${where}: username ${quote(entry.username)} is already used by entry ${reuse.firstIndex + 1}`;
};

/** The first error in words: entries are checked in order, and fields in the order above. */
const describeDecodeErrors = (entries: readonly unknown[], errors: t.Errors): string => {
  const error = errors[0];
  const [, entry, ...inner] = error?.context ?? [];
  if (error === undefined || entry === undefined) return describeReuse(entries);
  // The entry's codec is an intersection: the field is the first key under it that is one.
  const field = inner.find((c) => FIELDS.has(c.key));
  const index = Number(entry.key);
  const where = entryLabel(index, entries[index]);
  return field === undefined
    ? `${where}: expected an object ${SHAPE}, got ${kindOf(error.value)}`
    : `${where}: ${describeField(field.key, error.value)}`;
};

/** The contacts in `value`, or why not (the sentence without its source). */
const decodeContacts = (value: unknown): E.Either<DirectoryError, Directory> =>
  Array.isArray(value)
    ? pipe(
        Directory.decode(value),
        E.mapLeft((errors) =>
          parleyError('invalid_directory', describeDecodeErrors(value, errors)),
        ),
      )
    : E.left(
        parleyError(
          'invalid_directory',
          `expected a JSON list of contacts [${SHAPE}, …], got ${kindOf(value)}`,
        ),
      );

const describeJsonError = ({ line, column, reason }: JsonSyntaxError): string =>
  `invalid JSON at line ${line}, column ${column}: ${reason}`;

/** The error named by its source (the file, or what a program handed in). */
const from =
  (source: string) =>
  (error: DirectoryError): DirectoryError =>
    reworded(error, `${source}: `);

/** Check contacts a program hands in (not a file's text); `source` names them in the sentence. */
export const decodeDirectory = (
  value: unknown,
  source: string,
): E.Either<DirectoryError, Directory> => pipe(decodeContacts(value), E.mapLeft(from(source)));

/** Parse and check a directory file's text; `source` names the file in error messages. */
export const parseDirectory = (
  text: string,
  source = 'directory',
): E.Either<DirectoryError, Directory> =>
  pipe(
    parseJsonText(text),
    E.mapLeft((error): DirectoryError => parleyError('invalid_json', describeJsonError(error))),
    E.chain(decodeContacts),
    E.mapLeft(from(source)),
  );

/**
 * The file's text: 2-space JSON and a final newline, each entry's fields as they were.
 * `port` is written as a number even where the file had "5001": the normalised value is what
 * the entry means, and both forms read back the same.
 */
export const serialiseDirectory = (dir: Directory): string =>
  `${JSON.stringify(Directory.encode(dir), null, 2)}\n`;

export const findContact = (dir: Directory, username: string): DirectoryEntry | undefined =>
  dir.find((entry) => entry.username === username);

/** A directory with no contacts, through the codec (no cast: the brand is earned). */
export const EMPTY_DIRECTORY: Directory = E.getOrElseW(() => {
  throw new Error('the empty directory must decode');
})(Directory.decode([]));

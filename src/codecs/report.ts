/**
 * Turns io-ts validation errors into one sentence a person can act on: which field, what
 * was expected, what was found. (io-ts' own PathReporter dumps every union branch.)
 */
import * as t from 'io-ts';
import { EXPECTATIONS } from './formats.js';
import { printableText } from './printable.js';

// io-ts tries each branch of a union under the key '0', '1', …: not a field of the value.
const isUnion = (type: t.Decoder<unknown, unknown>): type is t.UnionType<t.Mixed[]> =>
  type instanceof t.UnionType;

/** The dotted path of the field an error is about, e.g. `header.msg_id` or `3.port`. */
export const fieldPath = (error: t.ValidationError): string =>
  error.context
    .slice(1)
    // After the slice, context[i] is the parent of `entry`.
    .filter((entry, i) => entry.key !== '' && !isUnion(error.context[i]!.type))
    .map((entry) => entry.key)
    .join('.');

const describeCodec = (type: t.Decoder<unknown, unknown>): string =>
  EXPECTATIONS[type.name] ?? type.name;

/** Describe what a codec expected, in words, from its name (a union: each branch, with "or"). */
export const expectation = (error: t.ValidationError): string => {
  const parent = error.context.at(-2);
  if (parent !== undefined && isUnion(parent.type)) {
    return parent.type.types.map(describeCodec).join(' or ');
  }
  const last = error.context.at(-1);
  return last === undefined ? 'a value' : describeCodec(last.type);
};

/** How many characters of a found value are looked at: enough to decide how it is shown. */
const SHOWN_HEAD_CHARS = 122;
/** Deeper than this, a found value's arrays and objects are shown as `...`. */
const SHOWN_DEPTH = 8;

/**
 * JSON.stringify's text of a value, but only its head: it stops once `SHOWN_HEAD_CHARS` are
 * written and at `SHOWN_DEPTH` levels, so a 1 MiB string, or arrays nested 100,000 deep (which
 * JSON.stringify would recurse into until the stack overflows), cost a few hundred characters.
 */
const headJson = (value: unknown, depth = 0): string => {
  const plain = hasToJson(value) ? value.toJSON() : value;
  if (typeof plain === 'string') return JSON.stringify(plain.slice(0, SHOWN_HEAD_CHARS));
  if (typeof plain !== 'object' || plain === null) return String(JSON.stringify(plain));
  const isArray = Array.isArray(plain);
  if (depth >= SHOWN_DEPTH) return isArray ? '[...]' : '{...}';
  const parts: string[] = [];
  let length = 1;
  // Stops at the head: no walk over (or copy of) a 100,000-entry array or object.
  for (const key in plain) {
    if (length > SHOWN_HEAD_CHARS) return `${isArray ? '[' : '{'}${parts.join(',')},...`;
    const item = (plain as Record<string, unknown>)[key];
    const skipped = item === undefined || typeof item === 'function' || typeof item === 'symbol';
    if (skipped && !isArray) continue;
    const shown = skipped ? 'null' : headJson(item, depth + 1);
    const part = isArray ? shown : `${JSON.stringify(key)}:${shown}`;
    parts.push(part);
    length += part.length + 1;
  }
  return isArray ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
};

const hasToJson = (value: unknown): value is { toJSON: () => unknown } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { toJSON?: unknown }).toJSON === 'function';

/**
 * Show a found value briefly, so a 1 MiB string does not end up in a message, and printable:
 * the value may be a peer's, and the sentence may reach a terminal (JSON escapes C0 controls
 * but not C1 or bidirectional ones).
 */
export const showValue = (value: unknown): string => {
  const text = headJson(value);
  // Cut between code points: half an emoji (a lone surrogate) cannot be encoded as UTF-8.
  // 122 UTF-16 units hold at least 61 code points, so the head is enough to decide.
  const head = [...text.slice(0, SHOWN_HEAD_CHARS)];
  return printableText(head.length > 60 ? `${head.slice(0, 57).join('')}...` : text);
};

/** One sentence for one error: `field 'nonce': expected 32 lowercase hex characters, got "xy"`. */
export const describeError = (error: t.ValidationError): string => {
  const path = fieldPath(error);
  if (error.value === undefined) return `field '${path}' is missing`;
  const where = path === '' ? 'value' : `field '${path}'`;
  return `${where}: expected ${expectation(error)}, got ${showValue(error.value)}`;
};

/** The first error in words (the first is the one that matters; the rest follow from it). */
export const describeErrors = (errors: t.Errors): string =>
  errors.length === 0 ? 'invalid value' : describeError(errors[0]!);

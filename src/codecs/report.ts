/**
 * Turns io-ts validation errors into one sentence a person can act on: which field, what
 * was expected, what was found. (io-ts' own PathReporter dumps every union branch.)
 */
import type * as t from 'io-ts';
import { EXPECTATIONS } from './formats.js';

/** The dotted path of the field an error is about, e.g. `header.msg_id` or `3.port`. */
export const fieldPath = (error: t.ValidationError): string =>
  error.context
    .slice(1)
    .map((entry) => entry.key)
    .filter((key) => key !== '')
    .join('.');

/** Describe what a codec expected, in words, from its name. */
export const expectation = (error: t.ValidationError): string => {
  const last = error.context[error.context.length - 1];
  const name = last?.type.name ?? 'a value';
  return EXPECTATIONS[name] ?? (name.startsWith('"') ? name : `${name}`);
};

/** Show a found value briefly, so a 1 MiB string does not end up in a message. */
export const showValue = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
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

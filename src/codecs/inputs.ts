/**
 * Codecs for what a program hands the library: a destination, a message id, our own name.
 * The library decodes them as it decodes frames and files, with the same sentences, so an
 * embedder's mistake is a clear refusal rather than a frame the peer must reject.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { type ParleyError, parleyError } from '../errors.js';
import { MAX_PLAINTEXT_BYTES } from '../limits.js';
import { Host, Port } from './directory.js';
import { Group, MessageText, Secret, Username, Uuid } from './formats.js';
import { describeErrors, fieldPath } from './report.js';

/** Where to send: a contact's address and the secret shared with it (username optional). */
export const CheckedDestination = t.intersection([
  t.type({ host: Host, port: Port, secret: Secret }),
  t.partial({ username: t.union([Username, t.undefined]), group: t.union([Group, t.undefined]) }),
]);
export type CheckedDestination = t.TypeOf<typeof CheckedDestination>;

/** A program's input the library cannot use. */
export type InputError = ParleyError<'invalid_input'>;

const invalid = (message: string): InputError => parleyError('invalid_input', message);

/** Decodes one input, naming what was wrong (never its value when it is a secret). */
const decodeWith =
  <A>(codec: t.Type<A, unknown, unknown>, what: string) =>
  (value: unknown): E.Either<InputError, A> =>
    E.mapLeft((errors: t.Errors) => invalid(`${what}: ${describeErrors(errors)}`))(
      codec.decode(value),
    );

export const decodeDestination = (value: unknown): E.Either<InputError, CheckedDestination> =>
  E.mapLeft((errors: t.Errors) =>
    // A secret's value is never repeated in a sentence.
    errors.some((e) => fieldPath(e).endsWith('secret'))
      ? invalid('destination: the secret must be 1–1024 characters')
      : invalid(`destination: ${describeErrors(errors)}`),
  )(CheckedDestination.decode(value));

export const decodeMsgId = decodeWith(Uuid, 'msgId');
export const decodeName = decodeWith(Username, 'name');

/** Why a text cannot go as one message, and what to do about it (the console says it too). */
export const tooLongMessage = (size: number): string =>
  `the message is ${size.toLocaleString('en')} bytes, and one message holds at most ` +
  `${MAX_PLAINTEXT_BYTES.toLocaleString('en')} (the parley/1 limit); split it and send each ` +
  'part as a message of its own';

/**
 * Why `text` is not a `MessageText` (parley/1's bound on a message), in words; undefined when
 * it is one. The one rule, wherever a text enters: the library's send, the console, `parley
 * send`, and a job kept from an older run before it goes on the wire.
 */
export const whyNotMessageText = (text: string): string | undefined =>
  MessageText.is(text) ? undefined : tooLongMessage(Buffer.byteLength(text, 'utf8'));

/**
 * A message's text: a string that fits in one parley/1 message. Refused when the job is made,
 * so a text that could never go does not wait in the outbox, retried in vain.
 */
export const decodeText = (value: unknown): E.Either<InputError, MessageText> => {
  if (typeof value !== 'string') return E.left(invalid('text: expected a string'));
  return MessageText.is(value)
    ? E.right(value)
    : E.left(invalid(tooLongMessage(Buffer.byteLength(value, 'utf8'))));
};

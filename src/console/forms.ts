/**
 * The console's questions, one field per line: a destination entered by hand (ip, port,
 * password) and a new contact for /add (username, ip, port, password). Each answer is checked
 * as it is typed; a wrong one is asked again, an empty one cancels.
 */
import * as E from 'fp-ts/lib/Either.js';
import { checkHost, checkName, checkPort } from '../cli/args.js';
import type { DirectoryEntry } from '../codecs/directory.js';
import { Secret } from '../codecs/formats.js';
import type { InputError } from '../codecs/inputs.js';
import { type ParleyError, parleyError } from '../errors.js';
import { MAX_SECRET_CHARS } from '../limits.js';
import { composing, dispatch, type Step, show } from './destinations.js';
import type { Draft, Output } from './flow.js';

export type FormMode =
  | { readonly kind: 'manualHost'; readonly draft: Draft }
  | { readonly kind: 'manualPort'; readonly draft: Draft; readonly host: string }
  | {
      readonly kind: 'manualSecret';
      readonly draft: Draft;
      readonly host: string;
      readonly port: number;
    }
  | { readonly kind: 'addUsername' }
  | { readonly kind: 'addHost'; readonly username: string }
  | { readonly kind: 'addPort'; readonly username: string; readonly ip: string }
  | {
      readonly kind: 'addSecret';
      readonly username: string;
      readonly ip: string;
      readonly port: number;
    };

export const checkSecret = (text: string): E.Either<InputError, string> =>
  Secret.is(text)
    ? E.right(text)
    : E.left(parleyError('invalid_input', `a password has at most ${MAX_SECRET_CHARS} characters`));

/** Check an answer: an empty one cancels, a wrong one asks again, a good one moves on. */
const answer = <T>(
  mode: FormMode,
  line: string,
  check: (text: string) => E.Either<ParleyError, T>,
  next: (value: T) => Step,
  trim = true,
): Step => {
  const text = trim ? line.trim() : line;
  if (text === '') return [composing, [show('cancelled')]];
  const checked = check(text);
  return E.isLeft(checked) ? [mode, [show(checked.left.message)]] : next(checked.right);
};

export const manualStep = (
  mode: Extract<FormMode, { kind: `manual${string}` }>,
  line: string,
): Step => {
  switch (mode.kind) {
    case 'manualHost':
      return answer(mode, line, checkHost, (host) => [{ ...mode, kind: 'manualPort', host }, []]);
    case 'manualPort':
      return answer(
        mode,
        line,
        (s) => checkPort(s, false),
        (port) => [{ ...mode, kind: 'manualSecret', port }, []],
      );
    case 'manualSecret':
      // A password is taken exactly as typed: spaces are part of it.
      return answer(
        mode,
        line,
        checkSecret,
        (secret) =>
          dispatch(
            mode.draft,
            { host: mode.host, port: mode.port, secret },
            `${mode.host}:${mode.port}`,
          ),
        false,
      );
  }
};

const newUsername =
  (contacts: readonly DirectoryEntry[]) =>
  (text: string): E.Either<ParleyError<'contact_exists' | 'usage'>, string> =>
    contacts.some((c) => c.username === text)
      ? E.left(parleyError('contact_exists', `${text} is already a contact; pick another name`))
      : checkName(text);

export const addStep = (
  mode: Extract<FormMode, { kind: `add${string}` }>,
  line: string,
  contacts: readonly DirectoryEntry[],
): Step => {
  switch (mode.kind) {
    case 'addUsername':
      return answer(mode, line, newUsername(contacts), (username) => [
        { kind: 'addHost', username },
        [],
      ]);
    case 'addHost':
      return answer(mode, line, checkHost, (ip) => [{ ...mode, kind: 'addPort', ip }, []]);
    case 'addPort':
      return answer(
        mode,
        line,
        (s) => checkPort(s, false),
        (port) => [{ ...mode, kind: 'addSecret', port }, []],
      );
    case 'addSecret':
      return answer(
        mode,
        line,
        checkSecret,
        (password) => [
          composing,
          [
            {
              kind: 'addContact',
              contact: { username: mode.username, password, port: mode.port, ip: mode.ip },
            },
          ],
        ],
        false,
      );
  }
};

export const promptOfForm = (mode: FormMode): Output => {
  const ask = (prompt: string, secret = false): Output => ({ kind: 'ask', prompt, secret });
  switch (mode.kind) {
    case 'manualHost':
    case 'addHost':
      return ask('ip: ');
    case 'manualPort':
    case 'addPort':
      return ask('port: ');
    case 'manualSecret':
    case 'addSecret':
      return ask('password (not shown): ', true);
    case 'addUsername':
      return ask('username: ');
  }
};

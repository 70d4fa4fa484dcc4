/**
 * /edit NAME: change a contact's address, port or password from the chat (a wrong password
 * can then be fixed without leaving). Each field is asked with its current value; Enter keeps
 * it, the password is asked without echo and never shown. Ctrl-C cancels (see flow.ts).
 */
import * as E from 'fp-ts/lib/Either.js';
import { checkHost, checkPort } from '../cli/args.js';
import type { ContactChanges } from '../cli/directory-file.js';
import type { ParleyError } from '../errors.js';
import type { OutboxEntry } from '../node/node.js';
import { composing, findByName, type Step, show } from './destinations.js';
import type { Output, View } from './flow.js';
import { checkSecret } from './forms.js';

/** The contact as it is, without its password (the form never needs to show it). */
interface Current {
  readonly username: string;
  readonly ip: string;
  readonly port: number;
}

export type EditMode = {
  readonly kind: 'editHost' | 'editPort' | 'editSecret';
  readonly current: Current;
  readonly changes: ContactChanges;
};

export const startEdit = (name: string, view: View): Step => {
  if (name === '') return [composing, [show('which contact? /edit NAME (/contacts lists them)')]];
  const contact = findByName(view, name);
  if (contact === undefined) {
    return [composing, [show(`no contact is called ${name} (/contacts lists them)`)]];
  }
  const current = { username: contact.username, ip: contact.ip, port: contact.port };
  return [
    { kind: 'editHost', current, changes: {} },
    [show(`Editing ${name}: Enter keeps a value as it is; Ctrl-C cancels.`)],
  ];
};

/** Enter keeps the value; anything else is checked, and a wrong answer is asked again. */
const answer = <T>(
  mode: EditMode,
  text: string,
  check: (text: string) => E.Either<ParleyError, T>,
  next: (value: T | undefined) => Step,
): Step => {
  if (text === '') return next(undefined);
  const checked = check(text);
  return E.isLeft(checked) ? [mode, [show(checked.left.message)]] : next(checked.right);
};

/** What changed, in words (never the password itself). */
const changedFields = (current: Current, changes: ContactChanges): string[] => [
  ...(changes.ip !== undefined && changes.ip !== current.ip ? [`ip ${changes.ip}`] : []),
  ...(changes.port !== undefined && changes.port !== current.port ? [`port ${changes.port}`] : []),
  ...(changes.password !== undefined ? ['password'] : []),
];

const finish = (mode: EditMode, changes: ContactChanges): Step => {
  const { username } = mode.current;
  if (changedFields(mode.current, changes).length === 0) {
    return [composing, [show(`nothing changed: ${username} is as it was`)]];
  }
  const what = changedFields(mode.current, changes).join(', ');
  return [composing, [{ kind: 'editContact', username, changes, what }]];
};

export const editStep = (mode: EditMode, line: string): Step => {
  const { changes } = mode;
  switch (mode.kind) {
    case 'editHost':
      return answer(mode, line.trim(), checkHost, (ip) => [
        { ...mode, kind: 'editPort', changes: { ...changes, ip } },
        [],
      ]);
    case 'editPort':
      return answer(
        mode,
        line.trim(),
        (s) => checkPort(s, false),
        (port) => [{ ...mode, kind: 'editSecret', changes: { ...changes, port } }, []],
      );
    case 'editSecret':
      // A password is taken exactly as typed: spaces are part of it.
      return answer(mode, line, checkSecret, (password) => finish(mode, { ...changes, password }));
  }
};

export const promptOfEdit = (mode: EditMode): Output => {
  const ask = (prompt: string, secret = false): Output => ({ kind: 'ask', prompt, secret });
  switch (mode.kind) {
    case 'editHost':
      return ask(`ip [${mode.current.ip}]: `);
    case 'editPort':
      return ask(`port [${mode.current.port}]: `);
    case 'editSecret':
      return ask('password (not shown; Enter keeps it): ', true);
  }
};

/** Said once the file is written: what changed, and that what waits goes out with it. */
export const editedText = (
  edit: Extract<Output, { kind: 'editContact' }>,
  file: string,
  outbox: readonly OutboxEntry[],
): string => {
  const waiting = outbox.filter((e) => e.job.to.username === edit.username).length;
  const goes =
    waiting === 0
      ? ''
      : `; ${waiting === 1 ? '1 waiting message goes' : `${waiting} waiting messages go`} out again now with the new details`;
  return `${edit.username} updated in ${file} (${edit.what})${goes}`;
};

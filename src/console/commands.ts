/**
 * The console's slash commands: /help, /contacts, /who, /add, /edit, /outbox, /retry,
 * /history, /find, /quit.
 */

import * as E from 'fp-ts/lib/Either.js';
import { checkAddress, checkName } from '../cli/args.js';
import { CONSOLE_HELP } from '../cli/help.js';
import { formatContacts, formatOutbox } from '../cli/text.js';
import { messages } from '../cli/waiting.js';
import { composing, contactsOf, type Step, show, startChoosing } from './destinations.js';
import { startEdit } from './edit-form.js';
import type { Output, View } from './flow.js';

/** What quitting now would lose, in a sentence; undefined when nothing. */
export const lossWarning = (undelivered: number): string | undefined => {
  if (undelivered === 0) return undefined;
  const what = undelivered === 1 ? '1 message was' : `${undelivered} messages were`;
  return `${what} not delivered (see /outbox); quitting now loses ${undelivered === 1 ? 'it' : 'them'}.`;
};

/**
 * What quitting leaves in an outbox kept on disk, in a sentence; undefined when nothing. The
 * paused ones are counted apart: they do not go out by themselves.
 */
export const keptNote = (outbox: View['outbox']): string | undefined => {
  if (outbox.length === 0) return undefined;
  const paused = outbox.filter((e) => e.paused).length;
  const goes = outbox.length - paused;
  const kept = goes === 0 ? [] : [`${messages(goes)} will be sent when you are back`];
  const one = paused === 1;
  const held =
    paused === 0
      ? []
      : [
          `${messages(paused)} ${one ? 'waits' : 'wait'} paused after a password mismatch ` +
            `(/outbox says what sends ${one ? 'it' : 'them'})`,
        ];
  return [...kept, ...held].join('; ');
};

/** What quitting does to what waits: kept for the next run, or lost (in memory only). */
const quitNote = (view: View): string | undefined =>
  view.durable ? keptNote(view.outbox) : lossWarning(view.outbox.length);

/** Quit; messages still being sent are finished first (the node's close waits for them). */
export const quitNow = (view: View): Output[] => {
  const n = view.sending;
  const note = `finishing ${messages(n)} still being sent…`;
  return [...(n > 0 ? [show(note)] : []), { kind: 'quit' }];
};

/**
 * /quit, Ctrl-D, Ctrl-C on an empty line. With the outbox on disk nothing is lost: quit at
 * once, saying what waits. In memory only, ask first when messages would be lost.
 */
export const quitRequest = (view: View): Step => {
  const note = quitNote(view);
  if (note === undefined) return [composing, quitNow(view)];
  if (view.durable) return [composing, [show(note), ...quitNow(view)]];
  return [{ kind: 'confirmQuit' }, [show(note)]];
};

/** The input ended (nothing more can be asked): quit, saying what is kept or lost. */
export const quitAtEnd = (view: View): Output[] => {
  const note = quitNote(view);
  return [...(note === undefined ? [] : [show(note)]), ...quitNow(view)];
};

const retryCommand = (arg: string, view: View): Step => {
  const n = arg === '' && view.outbox.length === 1 ? 1 : Number(arg);
  if (view.outbox.length === 0)
    return [composing, [show('nothing to retry: no undelivered messages')]];
  const entry = Number.isInteger(n) ? view.outbox[n - 1] : undefined;
  if (entry === undefined) {
    return [composing, [show(`which one? /retry 1 to /retry ${view.outbox.length} (see /outbox)`)]];
  }
  const { job, report } = entry;
  return startChoosing({ kind: 'retry', msgId: job.msgId, text: job.text, was: report.to }, view);
};

const removeCommand = (arg: string, view: View): Step => {
  if (view.outbox.length === 0)
    return [composing, [show('nothing to remove: the outbox is empty')]];
  const n = Number(arg);
  const entry = arg !== '' && Number.isInteger(n) ? view.outbox[n - 1] : undefined;
  if (entry === undefined) {
    return [
      composing,
      [show(`which one? /remove 1 to /remove ${view.outbox.length} (see /outbox)`)],
    ];
  }
  return [composing, [{ kind: 'remove', msgId: entry.job.msgId, text: entry.job.text }]];
};

const outboxText = (view: View): string =>
  view.outbox.length > 0
    ? formatOutbox(view.outbox, view.nowMs)
    : 'the outbox is empty: every message was delivered';

/** /history [NAME] [N]: a name, a count, both (in this order), or neither. */
const historyCommand = (args: readonly string[]): Step => {
  const count = (word: string | undefined) =>
    word !== undefined && /^[1-9][0-9]{0,5}$/.test(word) ? Number(word) : undefined;
  const [first, second, ...more] = args;
  const firstCount = count(first);
  const contact = firstCount === undefined ? first : undefined;
  const n = firstCount ?? count(second);
  const extra =
    firstCount === undefined ? second !== undefined && n === undefined : second !== undefined;
  if (extra || more.length > 0) {
    return [
      composing,
      [show('which history? /history, /history NAME, /history NAME 50, /history 50')],
    ];
  }
  return [
    composing,
    [
      {
        kind: 'history',
        ...(contact === undefined ? {} : { contact }),
        ...(n === undefined ? {} : { count: n }),
      },
    ],
  ];
};

/** /invite, /invite NAME, /invite cancel. */
const inviteCommand = (args: readonly string[]): Step => {
  if (args.length === 0) return [composing, [{ kind: 'invite' }]];
  if (args.length === 1 && args[0] === 'cancel') return [composing, [{ kind: 'inviteCancel' }]];
  const name = args.length === 1 ? checkName(args[0]!) : undefined;
  if (name === undefined || E.isLeft(name)) {
    return [
      composing,
      [show('which invite? /invite, /invite NAME (to file them as NAME), /invite cancel')],
    ];
  }
  return [composing, [{ kind: 'invite', fileAs: name.right }]];
};

/** /join ADDRESS CODE; the code is the node's to check (it normalises it). */
const joinCommand = (args: readonly string[]): Step => {
  const usage = 'join whom? /join ADDRESS CODE, as /join 192.0.2.10:5001 7-crater-lamp';
  if (args.length !== 2) return [composing, [show(usage)]];
  const address = checkAddress(args[0]!);
  if (E.isLeft(address)) return [composing, [show(address.left.message)]];
  return [composing, [{ kind: 'join', ...address.right, code: args[1]! }]];
};

export const command = (line: string, view: View): Step => {
  const [name = '', ...rest] = line.trim().split(/\s+/);
  const arg = rest.join(' ');
  const contacts = contactsOf(view);
  switch (name) {
    case '/help':
      return [composing, [show(CONSOLE_HELP)]];
    case '/contacts':
      return [
        composing,
        [show(contacts.length > 0 ? formatContacts(contacts) : 'no contacts yet: /add adds one')],
      ];
    case '/who':
      return [
        composing,
        contacts.length > 0
          ? [{ kind: 'probeAll' }]
          : [show('no contacts to check: /add adds one')],
      ];
    case '/add':
      return [{ kind: 'addUsername' }, [show('Adding a contact (an empty answer cancels).')]];
    case '/edit':
      return startEdit(arg, view);
    case '/outbox':
      return [composing, [show(outboxText(view))]];
    case '/retry':
      return retryCommand(arg, view);
    case '/history':
      return historyCommand(rest);
    case '/find':
      return rest.length > 0
        ? [composing, [{ kind: 'find', words: rest }]]
        : [composing, [show('find what? /find WORDS shows the messages that hold them')]];
    case '/remove':
      return removeCommand(arg, view);
    case '/invite':
      return inviteCommand(rest);
    case '/join':
      return joinCommand(rest);
    case '/quit':
    case '/exit':
      return quitRequest(view);
    default:
      return [composing, [show(`unknown command ${name}: /help lists the commands`)]];
  }
};

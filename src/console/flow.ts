/**
 * The console's prompt flow as a pure state machine: `step(state, input, view)` returns the
 * next state and what to do (show text, ask a question, send, probe, add, quit). The
 * controller carries the outputs out; nothing here touches the terminal or the network.
 *
 *   composing ──text──► choosing ──m──► manualHost → manualPort → manualSecret
 *       │                   └──1..N / name / Enter (retry) ──► send, back to composing
 *       ├──/add──► addUsername → addHost → addPort → addSecret ──► addContact
 *       ├──/edit NAME──► editHost → editPort → editSecret ──► editContact
 *       └──/quit, Ctrl-C, Ctrl-D (undelivered messages, outbox in memory) ──► confirmQuit
 *
 * In any question, Ctrl-C or Ctrl-D cancels the question and never quits.
 */

import * as E from 'fp-ts/lib/Either.js';
import { checkName } from '../cli/args.js';
import type { ContactChanges, NewContact } from '../cli/directory-file.js';
import type { DirectoryEntry } from '../codecs/directory.js';
import { printable } from '../codecs/printable.js';
import { PASTED_SHOWN_CHARS } from '../limits.js';
import type { OutboxEntry } from '../node/node.js';
import { decodeLongText } from '../node/parts.js';
import type { Address, Destination } from '../node/reports.js';
import type { KeyboardInput } from '../streams/keyboard.js';
import { command, quitAtEnd, quitNow, quitRequest } from './commands.js';
import {
  chooseDestination,
  composing,
  destinationOf,
  dispatch,
  findByName,
  type Step,
  show,
  startChoosing,
} from './destinations.js';
import { type EditMode, editStep, promptOfEdit } from './edit-form.js';
import { addStep, type FormMode, manualStep, promptOfForm } from './forms.js';

/** The console's inputs are the keyboard's. */
export type Input = KeyboardInput;

/** The world as the console sees it when an input arrives. */
export interface View {
  readonly self: string;
  readonly contacts: readonly DirectoryEntry[];
  readonly outbox: readonly OutboxEntry[];
  /** Sends not yet reported. */
  readonly sending: number;
  /** The outbox is kept on disk: quitting loses nothing, so it need not ask. */
  readonly durable: boolean;
  /** The node's clock now (scheduler ms), for when waiting messages go out. */
  readonly nowMs: number;
}

export type Output =
  | { readonly kind: 'show'; readonly text: string }
  /** The prompt for the next line; a secret one is not echoed. */
  | {
      readonly kind: 'ask';
      readonly prompt: string;
      readonly secret: boolean;
      /** The answer to a question: kept out of the Up-arrow history, which is for messages. */
      readonly answer?: true;
    }
  /** Forget what was typed on the line (Ctrl-C). */
  | { readonly kind: 'discardLine' }
  | { readonly kind: 'send'; readonly to: Destination; readonly text: string }
  | { readonly kind: 'retry'; readonly msgId: string; readonly to: Destination | undefined }
  /** /remove: drop a waiting message from the outbox; it is not sent again. */
  | { readonly kind: 'remove'; readonly msgId: string; readonly text: string }
  | { readonly kind: 'probeAll' }
  | { readonly kind: 'addContact'; readonly contact: NewContact }
  /** /edit: change these fields of the contact in the directory file; `what` says which. */
  | {
      readonly kind: 'editContact';
      readonly username: string;
      readonly changes: ContactChanges;
      readonly what: string;
    }
  /** /history [NAME] [N]: the last N lines, of one conversation or all. */
  | { readonly kind: 'history'; readonly contact?: string; readonly count?: number }
  /** /find WORDS: the messages of the history that hold every word. */
  | { readonly kind: 'find'; readonly words: readonly string[] }
  /** /invite [NAME]: open an invite (one at a time: the epic knows whether one is open). */
  | { readonly kind: 'invite'; readonly fileAs?: string }
  | { readonly kind: 'inviteCancel' }
  /** /join ADDRESS CODE. */
  | { readonly kind: 'join'; readonly host: string; readonly port: number; readonly code: string }
  | { readonly kind: 'quit' };

/** A message waiting for its destination: a new one, or an undelivered one sent again. */
export type Draft =
  | { readonly kind: 'new'; readonly text: string }
  | {
      readonly kind: 'retry';
      readonly msgId: string;
      readonly text: string;
      /** Where it went last time. */
      readonly was: Address;
    };

export type Mode =
  | { readonly kind: 'composing'; readonly lines: readonly string[] }
  | { readonly kind: 'choosing'; readonly draft: Draft }
  | FormMode
  | EditMode
  | { readonly kind: 'confirmQuit' };

export interface ConsoleState {
  readonly mode: Mode;
  /**
   * The last input was Ctrl-C or Ctrl-D cancelling a question: a second press right after it
   * (a person making sure) must not go on to quit.
   */
  readonly cancelled: boolean;
  /**
   * The person quit. Quitting closes the terminal, whose input then ends: that end is not a
   * second quit, and says nothing again.
   */
  readonly quit: boolean;
  /**
   * The read of the terminal (see KeyboardInput) of the line that opened the question now
   * asked: a line of that same read was typed (pasted) before the question was shown, and is
   * never taken as its answer.
   */
  readonly askedIn?: number;
}

export const initialState: ConsoleState = {
  mode: { kind: 'composing', lines: [] },
  cancelled: false,
  quit: false,
};

/** A line pasted with the one before a question: said, not taken as the answer. */
const typedAhead = (mode: Mode, text: string, self: string): Output => {
  const prompt = promptOf(mode, self);
  const what =
    prompt.kind === 'ask' && prompt.secret ? 'a line' : `"${printable(text, PASTED_SHOWN_CHARS)}"`;
  return show(
    `not taken as the answer: ${what} came in one paste with the line before, before the question was shown; type the answer (Ctrl-C cancels)`,
  );
};

/** `@name text`: the split is syntax; the name and the text are then decoded by their codecs. */
const DIRECT = /^@(\S+)\s+([\s\S]*\S[\s\S]*)$/;

/** `@name` and nothing after it: a name with no message (never sent as the text "@name"). */
const NAME_ALONE = /^@(\S+)\s*$/;

/** A whole message typed: `@name text` goes at once, anything else asks where to. */
const finishMessage = (line: string, view: View): Step => {
  if (line.trim() === '') return [composing, []];
  const alone = NAME_ALONE.exec(line);
  if (alone !== null) {
    return [
      composing,
      [show(`not sent: nothing to send to ${alone[1]}; write @${alone[1]} and the message`)],
    ];
  }
  const direct = DIRECT.exec(line);
  // Only what is sent counts against the limit: `@bob ` is not part of the message.
  const text = decodeLongText(direct === null ? line : direct[2]);
  if (E.isLeft(text)) return [composing, [show(`not sent: ${text.left.message}`)]];
  if (direct === null) return startChoosing({ kind: 'new', text: text.right }, view);
  const name = checkName(direct[1]!);
  if (E.isLeft(name)) return [composing, [show(`not sent: ${name.left.message}`)]];
  const contact = findByName(view, name.right);
  if (contact === undefined) {
    return [
      composing,
      [show(`not sent: no contact is called ${name.right} (/contacts lists them)`)],
    ];
  }
  return dispatch({ kind: 'new', text: text.right }, destinationOf(contact), contact.username);
};

/** A line ending in one backslash continues; two end it with a real backslash. */
const composeLine = (lines: readonly string[], line: string, view: View): Step => {
  if (line.endsWith('\\') && !line.endsWith('\\\\')) {
    return [{ kind: 'composing', lines: [...lines, line.slice(0, -1)] }, []];
  }
  const last = line.endsWith('\\\\') ? line.slice(0, -1) : line;
  if (lines.length === 0 && /^\/[^/]/.test(line.trim())) return command(line, view);
  const text = [...lines, last].join('\n').replace(/\n+$/, '');
  // `//text` sends a message that starts with a slash.
  return finishMessage(text.startsWith('//') ? text.slice(1) : text, view);
};

const onLine = (mode: Mode, line: string, view: View): Step => {
  switch (mode.kind) {
    case 'composing':
      return composeLine(mode.lines, line, view);
    case 'choosing':
      return chooseDestination(mode.draft, line.trim(), view);
    case 'confirmQuit':
      return /^y(es)?$/i.test(line.trim())
        ? [composing, quitNow(view)]
        : [composing, [show('not quitting')]];
    case 'manualHost':
    case 'manualPort':
    case 'manualSecret':
      return manualStep(mode, line);
    case 'editHost':
    case 'editPort':
    case 'editSecret':
      return editStep(mode, line);
    case 'addUsername':
    case 'addHost':
    case 'addPort':
    case 'addSecret':
      return addStep(mode, line, view.contacts);
    default:
      // A new question needs its own step: this fails to compile until it has one.
      return unsaid(mode);
  }
};

/** What cancelling a question means for what it was about, in words. */
const cancelNote = (mode: Exclude<Mode, { kind: 'composing' }>): string => {
  switch (mode.kind) {
    case 'confirmQuit':
      return 'not quitting';
    case 'choosing':
    case 'manualHost':
    case 'manualPort':
    case 'manualSecret':
      return mode.draft.kind === 'retry'
        ? 'cancelled: the message stays in /outbox'
        : 'cancelled: the message was not sent';
    case 'editHost':
    case 'editPort':
    case 'editSecret':
      return `cancelled: ${mode.current.username} is unchanged`;
    case 'addUsername':
    case 'addHost':
    case 'addPort':
    case 'addSecret':
      return 'cancelled: no contact added';
    default:
      // A new question must say what cancelling it means: this fails to compile until it does.
      return unsaid(mode);
  }
};

/** The end of an exhaustive switch over the modes: unreachable while every mode has its case. */
const unsaid = (mode: never): never => {
  throw new Error(`the console has no case for ${(mode as { kind: string }).kind}`);
};

/**
 * Ctrl-C, or Ctrl-D on an empty line. In a question: cancel it, say so, never quit. At the
 * prompt: Ctrl-C clears a typed line; a continued message is dropped; on an empty prompt both
 * keys quit as /quit does (asking first when messages would be lost).
 */
const onCancelKey = (state: ConsoleState, typed: string, view: View): Step => {
  const { mode } = state;
  // What was typed goes too (at the hidden prompt, a password no one can see).
  const discard: Output[] = typed === '' ? [] : [{ kind: 'discardLine' }];
  if (mode.kind !== 'composing') return [composing, [...discard, show(cancelNote(mode))]];
  if (typed !== '') return [mode, discard];
  if (mode.lines.length > 0) return [composing, [show('message discarded')]];
  if (state.cancelled) {
    return [composing, [show('(the question was cancelled; press again, or /quit, to leave)')]];
  }
  return quitRequest(view);
};

/** The input ended (not Ctrl-D at a terminal): nothing can be asked any more. */
const onEnd = (view: View): Step => [composing, quitAtEnd(view)];

const isQuestion = (mode: Mode): boolean => mode.kind !== 'composing';

export const promptOf = (mode: Mode, self: string): Output => {
  const prompt = promptOfMode(mode, self);
  return isQuestion(mode) && prompt.kind === 'ask' ? { ...prompt, answer: true } : prompt;
};

const promptOfMode = (mode: Mode, self: string): Output => {
  const ask = (prompt: string, secret = false): Output => ({ kind: 'ask', prompt, secret });
  switch (mode.kind) {
    case 'composing':
      return ask(mode.lines.length > 0 ? '... ' : `${self}> `);
    case 'choosing':
      return ask('send to> ');
    case 'confirmQuit':
      return ask('quit anyway? [y/N] ');
    case 'editHost':
    case 'editPort':
    case 'editSecret':
      return promptOfEdit(mode);
    default:
      return promptOfForm(mode);
  }
};

export const step = (
  state: ConsoleState,
  input: Input,
  view: View,
): readonly [ConsoleState, readonly Output[]] => {
  if (state.quit) return [state, []];
  if (
    input.kind === 'line' &&
    isQuestion(state.mode) &&
    input.read !== undefined &&
    input.read === state.askedIn
  ) {
    return [
      state,
      [typedAhead(state.mode, input.text, view.self), promptOf(state.mode, view.self)],
    ];
  }
  const [mode, outputs] =
    input.kind === 'line'
      ? onLine(state.mode, input.text, view)
      : input.kind === 'interrupt'
        ? onCancelKey(state, input.typed, view)
        : input.kind === 'eof'
          ? onCancelKey(state, '', view)
          : onEnd(view);
  const quitting = outputs.some((o) => o.kind === 'quit');
  const next: ConsoleState = {
    mode,
    cancelled: input.kind !== 'line' && isQuestion(state.mode),
    quit: quitting,
    ...(input.kind === 'line' && isQuestion(mode) && input.read !== undefined
      ? { askedIn: input.read }
      : {}),
  };
  return [next, quitting ? outputs : [...outputs, promptOf(mode, view.self)]];
};

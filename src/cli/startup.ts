/**
 * The start-up questions of the course's flow: port, directory file, own username. They are
 * asked synchronously (readline-sync), so only here, before the node starts: once it runs, a
 * synchronous prompt would stop it from answering peers. Without a terminal nothing is asked;
 * the missing flags are named instead.
 */
import * as E from 'fp-ts/lib/Either.js';
import readlineSync from 'readline-sync';
import { type ParleyError, parleyError, reworded } from '../errors.js';
import type { ChatOptions } from './args.js';
import { checkName, checkPort } from './args.js';
import {
  createDirectoryFile,
  type DirectoryFileError,
  isMissing,
  type LoadedDirectory,
  loadDirectoryFile,
} from './directory-file.js';
import { ownCommandName } from './help.js';

/** Asks one question and returns the answer (readline-sync on a terminal; a script in tests). */
export type Ask = (question: string, hidden: boolean) => string;

/**
 * How readline-sync is asked (docs/SECURITY.md says what it does with a password). Hidden:
 * raw mode, nothing echoed, not even a mask, whitespace kept (a password is used exactly).
 * No history: it would keep an answer for `!!` at a later question, which prints it.
 */
export const questionOptions = (hidden: boolean) =>
  ({ hideEchoBack: hidden, mask: '', keepWhitespace: hidden, history: false }) as const;

export const askOnTerminal: Ask = (question, hidden) =>
  readlineSync.question(question, questionOptions(hidden));

export interface ChatSetup {
  readonly port: number;
  readonly directoryFile: string;
  readonly loaded: LoadedDirectory;
  readonly name: string;
}

/** Wrong answers are asked again, but not forever: the input may have ended. */
const MAX_ATTEMPTS = 5;

/** Ask until the answer passes its check; Left after too many wrong or empty answers. */
export const askUntil = <T>(
  ask: Ask,
  tell: (line: string) => void,
  question: string,
  check: (answer: string) => E.Either<ParleyError, T>,
  hidden = false,
): E.Either<ParleyError, T> => {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const answer = ask(question, hidden);
    const text = hidden ? answer : answer.trim();
    const checked =
      text === ''
        ? E.left(parleyError('no_answer', 'an answer is needed (Ctrl-C stops parley)'))
        : check(text);
    if (E.isRight(checked)) return checked;
    tell(checked.left.message);
  }
  return E.left(parleyError('no_answer', `no usable answer after ${MAX_ATTEMPTS} tries`));
};

const FLAGS: readonly (readonly [keyof ChatOptions, string])[] = [
  ['port', '--port'],
  ['directory', '--directory'],
  ['name', '--name'],
];

export const missingFlags = (options: ChatOptions): string[] =>
  FLAGS.filter(([key]) => options[key] === undefined).map(([, flag]) => flag);

/** The sentence for a start without a terminal: which flags would have made it work. */
export const noTerminalMessage = (missing: readonly string[], run: string): string =>
  `no terminal to ask on, and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: ` +
  `run ${run} --port P --directory FILE --name NAME (see ${run} --help)`;

/** Says yes to a question whose default is yes: Enter alone, y or yes. */
const YES = /^(y|yes)?$/i;

/**
 * The directory file at `file`, read and checked; when nothing is there, a newcomer is offered
 * a new one with no contacts, private (0600), at a terminal, and told how to make one without.
 */
export const loadOrCreateDirectory = (
  file: string,
  ask: Ask | undefined,
  tell: (line: string) => void,
): E.Either<DirectoryFileError, LoadedDirectory> => {
  const loaded = loadDirectoryFile(file);
  if (E.isRight(loaded) || !isMissing(file)) return loaded;
  if (ask === undefined) {
    return E.left(
      reworded(
        loaded.left,
        '',
        `; to start with no contacts, create it: printf '[]\\n' > ${file} && chmod 600 ${file} (parley offers to at a terminal)`,
      ),
    );
  }
  const answer = ask(
    `There is no directory file ${file}. Create it now, with no contacts yet and readable only by you? [Y/n] `,
    false,
  );
  if (!YES.test(answer.trim())) return E.left(reworded(loaded.left, '', ' (not created)'));
  const created = createDirectoryFile(file);
  if (E.isLeft(created)) return created;
  tell(`created ${file} (permissions 0600) with no contacts; add them with /add`);
  return loadDirectoryFile(file);
};

/**
 * The port, the directory and the name: from the flags, or asked for (course order). A file
 * named by a flag that cannot be used is an error; one typed at the prompt is asked again.
 */
export const setUpChat = (
  options: ChatOptions,
  ask: Ask | undefined,
  tell: (line: string) => void,
  run = ownCommandName(),
): E.Either<ParleyError, ChatSetup> => {
  const missing = missingFlags(options);
  if (missing.length > 0 && ask === undefined) {
    return E.left(parleyError('no_terminal', noTerminalMessage(missing, run)));
  }
  const asking = <T>(question: string, check: (s: string) => E.Either<ParleyError, T>) =>
    askUntil(ask!, tell, question, check);

  const port =
    options.port !== undefined
      ? E.right(options.port)
      : asking('Port to listen on: ', (s) => checkPort(s, true));
  if (E.isLeft(port)) return port;
  const directoryFile = options.directory;
  const loaded =
    directoryFile !== undefined
      ? E.map((l: LoadedDirectory) => ({ file: directoryFile, loaded: l }))(
          loadOrCreateDirectory(directoryFile, ask, tell),
        )
      : asking('Directory file: ', (file) =>
          E.map((l: LoadedDirectory) => ({ file, loaded: l }))(
            loadOrCreateDirectory(file, ask, tell),
          ),
        );
  if (E.isLeft(loaded)) return loaded;
  const name =
    options.name !== undefined ? E.right(options.name) : asking('Your username: ', checkName);
  if (E.isLeft(name)) return name;
  return E.right({
    port: port.right,
    directoryFile: loaded.right.file,
    loaded: loaded.right.loaded,
    name: name.right,
  });
};

/**
 * The directory file on disk: read and checked at start-up (refused when others may write
 * it, with a warning when they can read it, as ssh does with keys), and rewritten atomically
 * when a contact is added or changed, so that a crash or a full disk never leaves half a file.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import {
  Directory,
  type DirectoryEntry,
  type DirectoryError,
  parseDirectory,
  serialiseDirectory,
} from '../codecs/directory.js';
import { errnoCode, type ParleyError, parleyError, whyOf } from '../errors.js';

export interface LoadedDirectory {
  readonly directory: Directory;
  /** Things to tell the person that do not stop parley (a file others can read). */
  readonly warnings: readonly string[];
}

/** A new contact, its fields as the person typed them (already checked). */
export interface NewContact {
  readonly username: string;
  readonly password: string;
  readonly port: number;
  readonly ip: string;
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'that is a folder, not a file',
  EACCES: 'no permission to read it',
  EPERM: 'no permission to read it',
};

/** The directory file cannot be read, written or trusted; or what it holds does not decode. */
export type DirectoryFileError = ParleyError<'directory_file'> | DirectoryError;

/** What a change to the file refuses: a contact already there, or one no longer there. */
export type ContactError = ParleyError<'contact_exists' | 'no_contact'>;

const fileError = (message: string): DirectoryFileError => parleyError('directory_file', message);

const describeReadError = (path: string, err: unknown): DirectoryFileError =>
  fileError(`directory file ${path}: ${READ_ERRORS[errnoCode(err) ?? ''] ?? whyOf(err)}`);

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Refused, as ssh refuses a key others may change: whoever may write the file decides where
 * each contact is and with which password, so another local user could have parley send to
 * an address of theirs.
 */
export const permissionProblem = (path: string, mode: number): string | undefined => {
  if ((mode & 0o022) === 0) return undefined;
  const who = (mode & 0o002) !== 0 ? 'every user' : 'your group';
  return (
    `${path} is writable by ${who} (permissions ${octal(mode)}), who could change where your ` +
    `contacts are; parley will not use it until only you can: run: chmod 600 ${path}`
  );
};

/** The warning ssh would give: the file holds passwords, so only its owner should read it. */
export const permissionWarning = (path: string, mode: number): string | undefined => {
  if ((mode & 0o077) === 0) return undefined;
  const who = (mode & 0o007) !== 0 ? 'other users' : 'your group';
  return `warning: ${path} is open to ${who} (permissions ${octal(mode)}) and it holds your passwords; run: chmod 600 ${path}`;
};

const andList = (names: readonly string[]): string =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/**
 * One warning per password that several contacts share (never the password itself). The
 * password is what proves who is calling: with one shared, each of those contacts can call
 * us as any of the others, and read what we send them.
 */
export const sharedPasswordWarnings = (
  directory: readonly DirectoryEntry[],
  path: string,
): string[] => {
  const byPassword = new Map<string, string[]>();
  for (const { username, password } of directory) {
    byPassword.set(password, [...(byPassword.get(password) ?? []), username]);
  }
  return [...byPassword.values()]
    .filter((names) => names.length > 1)
    .map(
      (names) =>
        `warning: ${andList(names)} share one password in ${path}: each of them could pretend ` +
        `to be ${names.length === 2 ? 'the other' : 'any of the others'} to you; give every ` +
        'contact a password of its own',
    );
};

const parseFile = (path: string, text: string): E.Either<DirectoryError, Directory> =>
  parseDirectory(text, path);

/** Whether nothing at all is at `path` (not even a dangling link): a file one may create. */
export const isMissing = (path: string): boolean => {
  try {
    lstatSync(path);
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'ENOENT';
  }
};

const CREATE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is not a folder',
  EEXIST: 'something is there already',
  EACCES: 'no permission to write in its folder',
  EPERM: 'no permission to write in its folder',
};

/** What a new directory file holds: no contacts yet (they are added with /add). */
export const EMPTY_DIRECTORY_TEXT = '[]\n';

/**
 * A new directory file with no contacts, private from the start (0600: it will hold
 * passwords); never over anything already there.
 */
export const createDirectoryFile = (path: string): E.Either<DirectoryFileError, void> =>
  E.tryCatch(
    () => writeFileSync(path, EMPTY_DIRECTORY_TEXT, { flag: 'wx', mode: 0o600 }),
    (err) =>
      fileError(
        `cannot create the directory file ${path}: ${CREATE_ERRORS[errnoCode(err) ?? ''] ?? whyOf(err)}`,
      ),
  );

/** Read and check the file at start-up (before the event loop matters, so synchronously). */
export const loadDirectoryFile = (path: string): E.Either<DirectoryFileError, LoadedDirectory> =>
  pipe(
    E.tryCatch(
      () => ({ text: readFileSync(path, 'utf8'), mode: statSync(path).mode }),
      (err) => describeReadError(path, err),
    ),
    E.chain(({ text, mode }) =>
      pipe(
        parseFile(path, text),
        E.chainW((directory) => {
          // Windows has no such mode bits: its access lists are not checked here.
          if (process.platform === 'win32') return E.right({ directory, warnings: [] });
          const problem = permissionProblem(path, mode);
          if (problem !== undefined) return E.left(fileError(problem));
          const warning = permissionWarning(path, mode);
          return E.right({ directory, warnings: warning === undefined ? [] : [warning] });
        }),
      ),
    ),
  );

/** The directory with one more contact at the end; every other entry as it was. */
export const withContact = (
  directory: Directory,
  contact: NewContact,
  source: string,
): E.Either<ContactError | DirectoryError, Directory> => {
  if (directory.some((entry) => entry.username === contact.username)) {
    return E.left(parleyError('contact_exists', `${contact.username} is already in the directory`));
  }
  const entries = [...Directory.encode(directory), { ...contact }];
  return parseFile(source, JSON.stringify(entries));
};

/** What /edit changes in a contact; a field left out stays as it was. */
export type ContactChanges = Partial<Pick<NewContact, 'password' | 'port' | 'ip'>>;

/** The directory with one contact's fields changed; its other fields and every other entry kept. */
export const withChanges = (
  directory: Directory,
  username: string,
  changes: ContactChanges,
  source: string,
): E.Either<ContactError | DirectoryError, Directory> => {
  if (!directory.some((entry) => entry.username === username)) {
    return E.left(parleyError('no_contact', `${username} is no longer in the directory`));
  }
  // Spread over the entry as it was: its keys keep their order, unknown ones included.
  const given = Object.entries(changes).filter(([, value]) => value !== undefined);
  const entries = Directory.encode(directory).map((entry) =>
    entry.username === username ? { ...entry, ...Object.fromEntries(given) } : entry,
  );
  return parseFile(source, JSON.stringify(entries));
};

const existingMode = async (path: string): Promise<number | undefined> =>
  stat(path).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );

/**
 * Replace the file's contents all at once: a temporary file in the same folder (so that the
 * rename stays on one file system), written and flushed to disk, then renamed over the file.
 * A symbolic link is followed, so the link stays a link. The mode is kept (0600 if new).
 */
export const writeFileAtomically = async (path: string, text: string): Promise<void> => {
  const target = await realpath(path).catch(() => path);
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = (await existingMode(target)) ?? 0o600;
  const file = await open(temp, 'wx', mode);
  try {
    await file.chmod(mode);
    await file.writeFile(text, 'utf8');
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  await rename(temp, target).catch(async (err) => {
    await rm(temp, { force: true });
    throw err;
  });
  // The rename itself is durable only once the folder is flushed (not possible everywhere).
  const dir = await open(folder, 'r').catch(() => undefined);
  await dir?.sync().catch(() => undefined);
  await dir?.close();
};

/**
 * Change the file: it is read again first, so that edits made to it since start-up are kept,
 * then rewritten atomically. The directory that was written is the result.
 */
const updateFile = async (
  path: string,
  change: (current: Directory) => E.Either<ContactError | DirectoryError, Directory>,
): Promise<E.Either<ContactError | DirectoryFileError, Directory>> => {
  const text = await readFile(path, 'utf8').catch((err) => err as Error);
  if (text instanceof Error) return E.left(describeReadError(path, text));
  const next = pipe(parseFile(path, text), E.chainW(change));
  if (E.isLeft(next)) return next;
  return writeFileAtomically(path, serialiseDirectory(next.right)).then(
    () => next,
    (err: Error) => E.left(fileError(`could not write ${path}: ${err.message}`)),
  );
};

/** Add a contact to the file (/add). */
export const addContactToFile = (
  path: string,
  contact: NewContact,
): Promise<E.Either<ContactError | DirectoryFileError, Directory>> =>
  updateFile(path, (current) => withContact(current, contact, path));

/** Change a contact's password, address or port in the file (/edit). */
export const editContactInFile = (
  path: string,
  username: string,
  changes: ContactChanges,
): Promise<E.Either<ContactError | DirectoryFileError, Directory>> =>
  updateFile(path, (current) => withChanges(current, username, changes, path));

/**
 * The library's way to read a directory file: `loadDirectoryFile`'s checks (the format, every
 * field, a file others may write refused, one others may read warned of), its refusal a
 * `ParleyError` (code `directory_file`, or the format's `invalid_json` / `invalid_directory`) whose message names the file and the field.
 */
export const readDirectoryFile = (path: string): E.Either<DirectoryFileError, LoadedDirectory> =>
  loadDirectoryFile(path);

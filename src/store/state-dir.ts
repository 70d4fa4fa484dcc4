/**
 * The folder where a listening peer keeps its record of seen message ids, its outbox and the
 * inbox that `send --queue` hands messages to. Whoever can write to it can replace that record
 * (have a retry counted as seen: a message acknowledged and never shown), plant a link where
 * parley writes, or hand in messages that parley sends in your name. So, as ssh does with
 * ~/.ssh (StrictModes), parley creates it private and refuses one that another user owns or
 * may write to, or that sits in a folder another user could swap it out of (one of another
 * user's, or one its group or everyone may write to).
 */
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { errnoCode, type ParleyError, parleyError, whyOf } from '../errors.js';

/** $PARLEY_STATE_DIR, else $XDG_STATE_HOME/parley, else ~/.local/state/parley. */
export const stateDirectory = (env: NodeJS.ProcessEnv = process.env): string =>
  env.PARLEY_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'parley');

/** What parley needs to know of the folder (a subset of fs.Stats). */
export interface FolderFacts {
  readonly uid: number;
  readonly mode: number;
  isDirectory(): boolean;
}

const USE_ANOTHER = 'or set PARLEY_STATE_DIR to a folder of your own';

/** Why the folder may not hold the record, in words that say what to do; undefined if fine. */
export const stateDirectoryProblem = (
  path: string,
  facts: FolderFacts,
  uid: number,
): string | undefined => {
  if (!facts.isDirectory()) {
    return `the state directory ${path} is not a folder: remove it (parley creates it), ${USE_ANOTHER}`;
  }
  if (facts.uid !== uid) {
    return (
      `the state directory ${path} belongs to another user (uid ${facts.uid}), who could ` +
      `change parley's record of seen messages: remove it (parley creates it), ${USE_ANOTHER}`
    );
  }
  if (process.platform !== 'win32' && (facts.mode & 0o022) !== 0) {
    const octal = (facts.mode & 0o7777).toString(8).padStart(4, '0');
    const who = (facts.mode & 0o002) !== 0 ? 'every user' : 'your group';
    return (
      `the state directory ${path} is writable by ${who} (permissions ${octal}), who could ` +
      `change parley's record of seen messages; run: chmod 700 ${path}`
    );
  }
  return undefined;
};

/**
 * The first folder above the state directory (`path`) that lets another user swap it out —
 * one owned by someone other than us or root, or writable by its group or by every user
 * without the sticky bit (as /tmp has) — in words that say what to do; undefined if none.
 * A swap later, while parley runs, would go unseen (it reads and writes there for hours), so
 * such a folder is refused at start rather than checked again and again.
 */
export const parentProblem = (
  path: string,
  uid: number,
  factsOf: (path: string) => Pick<FolderFacts, 'uid' | 'mode'>,
): string | undefined => {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const facts = factsOf(dir);
    if (facts.uid !== uid && facts.uid !== 0) {
      return (
        `the state directory ${path} is inside ${dir}, which belongs to another user (uid ` +
        `${facts.uid}), who could replace it and what parley keeps there: set PARLEY_STATE_DIR ` +
        'to a folder of your own'
      );
    }
    if ((facts.mode & 0o022) !== 0 && (facts.mode & 0o1000) === 0) {
      const octal = (facts.mode & 0o7777).toString(8).padStart(4, '0');
      const [who, fix] = (facts.mode & 0o002) !== 0 ? ['every user', 'o-w'] : ['its group', 'g-w'];
      return (
        `the state directory ${path} is inside ${dir}, which ${who} may write to ` +
        `(permissions ${octal}) and so replace it and what parley keeps there; run: chmod ${fix} ${dir}, ${USE_ANOTHER}`
      );
    }
    if (dirname(dir) === dir) return undefined;
  }
};

export type StateDirectory =
  /** Ready for the seen file. */
  | { readonly kind: 'ready'; readonly path: string }
  /** Cannot be created (a read-only disk, say): the record is kept in memory only. */
  | { readonly kind: 'unavailable'; readonly path: string; readonly reason: string };

/** The state directory may not be used: parley should not start until it is fixed. */
export type StateDirectoryError = ParleyError<'state_directory'>;

const unavailable = (path: string, err: unknown): E.Either<StateDirectoryError, StateDirectory> =>
  E.right({ kind: 'unavailable', path, reason: whyOf(err) });

/**
 * Create the folder (0700) if it is missing, then check it. Left: it exists but may not be
 * used, and parley should not start until it is fixed.
 */
export const prepareStateDirectory = (
  path: string = stateDirectory(),
): E.Either<StateDirectoryError, StateDirectory> => {
  let facts: FolderFacts;
  try {
    // A file in the way (EEXIST) is not a folder: the check below says so.
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') return unavailable(path, err);
  }
  try {
    facts = statSync(path);
  } catch (err) {
    return unavailable(path, err);
  }
  // Windows has no owner uid or mode bits to check.
  const uid = process.getuid?.();
  let problem = stateDirectoryProblem(path, facts, uid ?? facts.uid);
  try {
    // The folders above it as written and as they really are: a link on the way sits in the
    // one, its target in the other, and whoever may write to either could swap it.
    problem ??=
      uid === undefined
        ? undefined
        : (parentProblem(realpathSync(path), uid, statSync) ??
          parentProblem(resolve(path), uid, statSync));
  } catch (err) {
    return unavailable(path, err);
  }
  return problem === undefined
    ? E.right({ kind: 'ready', path })
    : E.left(parleyError('state_directory', problem));
};

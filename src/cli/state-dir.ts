/**
 * The folder where a listening peer keeps its record of seen message ids. Whoever can write
 * to it can replace that record (have a retry counted as seen: a message acknowledged and
 * never shown) or plant a link where parley writes. So, as ssh does with ~/.ssh, parley
 * creates it private and refuses one that another user owns or may write to.
 */
import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';

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

export type StateDirectory =
  /** Ready for the seen file. */
  | { readonly kind: 'ready'; readonly path: string }
  /** Cannot be created (a read-only disk, say): the record is kept in memory only. */
  | { readonly kind: 'unavailable'; readonly path: string; readonly reason: string };

const unavailable = (path: string, err: unknown): E.Either<string, StateDirectory> =>
  E.right({ kind: 'unavailable', path, reason: (err as Error).message });

/**
 * Create the folder (0700) if it is missing, then check it. Left: it exists but may not be
 * used, and parley should not start until it is fixed.
 */
export const prepareStateDirectory = (
  path: string = stateDirectory(),
): E.Either<string, StateDirectory> => {
  let facts: FolderFacts;
  try {
    // A file in the way (EEXIST) is not a folder: the check below says so.
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return unavailable(path, err);
  }
  try {
    facts = statSync(path);
  } catch (err) {
    return unavailable(path, err);
  }
  // Windows has no owner uid or mode bits to check.
  const uid = process.getuid?.();
  const problem = stateDirectoryProblem(path, facts, uid ?? facts.uid);
  return problem === undefined ? E.right({ kind: 'ready', path }) : E.left(problem);
};

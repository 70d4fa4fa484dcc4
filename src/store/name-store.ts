/**
 * The store's file adapter: what a name keeps in the checked state directory — the seen file
 * (`seen-<name>`), the outbox file (`outbox-<name>`) held by one parley at a time through its
 * lock (`lock-outbox-<name>`), and the inbox (`inbox-<name>`) where other processes of the
 * name hand messages in, and the history (`history-<name>`: what was said). One way to open them, with their checks; what cannot be kept on
 * disk is kept in memory, and said.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { errnoCode, type ParleyError, parleyError, whyOf } from '../errors.js';
import { STALE_TEMP_MS } from '../limits.js';
import type { DedupeMemory } from '../node/dedupe.js';
import type { Store } from '../ports/ports.js';
import { removeStaleTemps } from './atomic-file.js';
import { createHistoryFile } from './history-file.js';
import { type HistoryStore, memoryHistory } from './history-store.js';
import { type LockError, takeLock } from './lock-file.js';
import { memoryStore } from './memory.js';
import { createOutboxFile, type OutboxFileOptions, type OutboxStore } from './outbox-file.js';
import { type Admit, handedIn$, type Keep } from './outbox-inbox.js';
import { createSeenFile } from './seen-file.js';
import { prepareStateDirectory, type StateDirectoryError } from './state-dir.js';

/** `outbox-<name>` in the state directory `dir`; the name encoded as the seen file's is. */
export const outboxFileOf = (dir: string, name: string): string =>
  join(dir, `outbox-${encodeURIComponent(name)}`);

/** `inbox-<name>`: where other processes of `name` hand messages to the one holding the outbox. */
export const inboxDirOf = (outboxFile: string): string =>
  join(dirname(outboxFile), `inbox-${basename(outboxFile).slice('outbox-'.length)}`);

/** `lock-outbox-<name>`: a prefix no outbox or seen file has, whatever the name. */
export const lockFileOf = (outboxFile: string): string =>
  join(dirname(outboxFile), `lock-${basename(outboxFile)}`);

export type KeptOutbox =
  | {
      readonly kind: 'durable';
      readonly path: string;
      readonly store: OutboxStore;
      /** Give the file back to other runs (at the end; also done at exit). */
      readonly release: () => void;
    }
  /** In memory only: the file it would be in, and why not (`heldBy`: another parley has it). */
  | {
      readonly kind: 'memory';
      readonly path: string;
      readonly reason: string;
      readonly heldBy?: number;
    };

/** What a run with the outbox in memory says at start. */
export const inMemoryWarning = (kept: Extract<KeptOutbox, { kind: 'memory' }>): string =>
  `cannot keep the outbox in ${kept.path} (${kept.reason}); it is kept in memory: ` +
  'what is not delivered is lost when parley ends';

const refusalWords = (refused: LockError, name: string): string =>
  refused.code === 'lock_held'
    ? `another parley (pid ${refused.pid}) is running as ${name} and keeps it`
    : refused.message;

/**
 * The outbox of `name`, on disk when the state directory allows it. Left: the state directory
 * may not be used (others may write to it) and parley should not start. The file's warnings
 * (an unreadable one moved aside) go to `say`.
 */
export const keptOutbox = (
  name: string,
  say: (text: string) => void,
  options: OutboxFileOptions = {},
): E.Either<StateDirectoryError, KeptOutbox> => {
  const dir = prepareStateDirectory();
  if (E.isLeft(dir)) return dir;
  const path = outboxFileOf(dir.right.path, name);
  const inMemory = (reason: string, heldBy?: number): E.Either<StateDirectoryError, KeptOutbox> =>
    E.right({ kind: 'memory', path, reason, ...(heldBy === undefined ? {} : { heldBy }) });
  if (dir.right.kind === 'unavailable') return inMemory(dir.right.reason);
  const taken = takeLock(lockFileOf(path));
  if (E.isLeft(taken)) {
    const refused = taken.left;
    return inMemory(
      refusalWords(refused, name),
      refused.code === 'lock_held' ? refused.pid : undefined,
    );
  }
  try {
    const inbox = inboxDirOf(path);
    // Writes cut short (kill -9) leave their temporary files; the lock is ours, so nothing of
    // this name is being written but by us, and age spares another name's write in progress.
    for (const folder of [dir.right.path, inbox]) {
      const removed = removeStaleTemps(folder, STALE_TEMP_MS).length;
      if (removed > 0)
        say(`removed ${removed} temporary file(s) left in ${folder} by writes cut short`);
    }
    const opened = createOutboxFile(path, Date.now(), options);
    for (const warning of opened.warnings) say(warning);
    // Whoever holds the outbox also takes what others of its name hand in (send --queue).
    const store = {
      ...opened.store,
      handedIn: (admit: Admit, keep: Keep) => handedIn$(inbox, say, admit, keep),
    };
    return E.right({ kind: 'durable', path, store, release: taken.right.release });
  } catch (err) {
    taken.right.release();
    return inMemory(whyOf(err));
  }
};

/**
 * Where a listening peer remembers the message ids it has shown, so that a retry after a
 * crash or restart is still shown once (see state-dir.ts for where). A state directory that
 * others own or may write to is refused (Left: parley does not start); one that cannot be
 * created or written is said, and the ids are remembered in memory only (Right(undefined)).
 */
export const seenMemory = (
  name: string,
  say: (text: string) => void,
): E.Either<StateDirectoryError, DedupeMemory | undefined> => {
  const dir = prepareStateDirectory();
  if (E.isLeft(dir)) return dir;
  const file = join(dir.right.path, `seen-${encodeURIComponent(name)}`);
  const inMemory = (reason: string) => {
    say(`cannot keep seen message ids in ${file} (${reason}); keeping them in memory`);
    return E.right(undefined);
  };
  if (dir.right.kind === 'unavailable') return inMemory(dir.right.reason);
  try {
    return E.right(createSeenFile(file, { onWarning: say }));
  } catch (err) {
    return inMemory(
      errnoCode(err) === 'ELOOP'
        ? 'it is a symbolic link, which parley does not follow: remove it'
        : whyOf(err),
    );
  }
};

/** `history-<name>` in the state directory `dir`: what was said, one record a line. */
export const historyFileOf = (dir: string, name: string): string =>
  join(dir, `history-${encodeURIComponent(name)}`);

/**
 * The history of `name`, on disk when the state directory allows it (Left: it may not be
 * used); else in memory, and said. An unreadable file is moved aside and said.
 */
export const keptHistory = (
  name: string,
  say: (text: string) => void,
): E.Either<ParleyError, HistoryStore> => {
  const dir = prepareStateDirectory();
  if (E.isLeft(dir)) return dir;
  const file = historyFileOf(dir.right.path, name);
  const inMemory = (reason: string) => {
    say(`cannot keep the history in ${file} (${reason}); it is kept in memory until parley ends`);
    return E.right(memoryHistory());
  };
  if (dir.right.kind === 'unavailable') return inMemory(dir.right.reason);
  try {
    const opened = createHistoryFile(file, { onWarning: say });
    for (const warning of opened.warnings) say(warning);
    return E.right(opened.store);
  } catch (err) {
    return inMemory(whyOf(err));
  }
};

/** The history of a run whose outbox is in memory: there too (the reason said), and said. */
const historyInMemory = (
  kept: Extract<KeptOutbox, { kind: 'memory' }>,
  say: (text: string) => void,
): HistoryStore => {
  say(
    `the history is kept in memory too (${kept.reason}): what this run shows and sends ` +
      'is not in parley history',
  );
  return memoryHistory();
};

/** When a file last changed (ms since the epoch), if it can be told. */
export const changedAt = (path: string | undefined): number | undefined => {
  if (path === undefined) return undefined;
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

/** What a name keeps, opened: the store for its node, and the outbox file if it is on disk. */
export interface NameStore {
  readonly store: Store;
  /** The outbox on disk (undefined: in memory, already said). */
  readonly durable: Extract<KeptOutbox, { kind: 'durable' }> | undefined;
}

/**
 * Opens the seen file, the outbox and the history of `name` (Left: the state directory may not be used,
 * and parley should not start). What cannot be kept on disk is kept in memory, and `say`s so.
 */
export const openNameStore = (
  name: string,
  say: (text: string) => void,
  options: OutboxFileOptions = {},
): E.Either<StateDirectoryError, NameStore> => {
  const dedupe = seenMemory(name, say);
  if (E.isLeft(dedupe)) return dedupe;
  const outbox = keptOutbox(name, say, options);
  if (E.isLeft(outbox)) return outbox;
  if (outbox.right.kind === 'memory') say(inMemoryWarning(outbox.right));
  const durable = outbox.right.kind === 'durable' ? outbox.right : undefined;
  // One writer per name, as for the outbox: the holder of its lock (a compaction of another
  // process would drop what this one appended meanwhile).
  const history =
    outbox.right.kind === 'memory'
      ? E.right(historyInMemory(outbox.right, say))
      : keptHistory(name, say);
  if (E.isLeft(history)) return E.left(parleyError('state_directory', history.left.message));
  return E.right({
    store: memoryStore({ dedupe: dedupe.right, outbox: durable?.store, history: history.right }),
    durable,
  });
};

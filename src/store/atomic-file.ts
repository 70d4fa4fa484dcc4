/**
 * Replace a file's contents all at once, synchronously (the outbox must be on disk before a
 * message's first try starts): a temporary file with a random name in the same folder,
 * created exclusively (a planted file or link there makes it fail, never followed), written
 * and flushed, renamed over the target, and the folder flushed so the rename is durable.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `.<name>.<12 hex>.tmp` beside `path`: private to one write, and told apart by its name. */
export const tempNameFor = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);

const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;

export const writeFileAtomicallySync = (path: string, text: string, mode = 0o600): void => {
  const temp = tempNameFor(path);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    throw err;
  }
  try {
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // Flushing a folder is not possible everywhere; the rename is still atomic.
  }
};

/**
 * Remove from `dir` the temporary files of writes that never finished (a kill -9 in the
 * middle; up to an outbox's size each): only names of ours (`tempNameFor`), only regular
 * files of this user, and only those unchanged for `olderThanMs`, so that a write another
 * parley has in progress (its file still growing, or just flushed) is left alone. Returns the
 * names removed; never throws (a folder that cannot be read has nothing to clean).
 */
export const removeStaleTemps = (
  dir: string,
  olderThanMs: number,
  nowMs = Date.now(),
): readonly string[] => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names.filter((n) => TEMP_NAME.test(n))) {
    try {
      const facts = lstatSync(join(dir, name));
      const ours = uid === undefined || facts.uid === uid;
      if (!facts.isFile() || !ours || nowMs - facts.mtimeMs < olderThanMs) continue;
      rmSync(join(dir, name));
      removed.push(name);
    } catch {
      // Gone meanwhile, or not ours to remove: nothing to do.
    }
  }
  return removed;
};

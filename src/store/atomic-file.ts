/**
 * Replace a file's contents all at once, synchronously (the outbox must be on disk before a
 * message's first try starts): a temporary file with a random name in the same folder,
 * created exclusively (a planted file or link there makes it fail, never followed), written
 * and flushed, renamed over the target, and the folder flushed so the rename is durable.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const writeFileAtomicallySync = (path: string, text: string, mode = 0o600): void => {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
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

/**
 * One parley at a time per outbox file. Each run rewrites the whole file from what it holds,
 * so two runs as the same name (a chat and a `listen`, or `send --queue`) would each write
 * over the other's messages. The first takes `lock-<file>` (its pid inside); the others see
 * whose it is. A lock left by a run that could not remove it (kill -9, a crash) names a
 * process that no longer exists, and is taken over.
 */
import { closeSync, constants, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export interface Lock {
  /** Give the lock back (idempotent; also done when the process exits). */
  readonly release: () => void;
}

/** Why the lock was not had: another live process holds it, or the file system said no. */
export type Refusal =
  | { readonly kind: 'held'; readonly pid: number }
  | { readonly kind: 'failed'; readonly reason: string };

const READ = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** The pid in a lock file; undefined when there is none or it cannot be read. */
export const lockHolder = (path: string): number | undefined => {
  try {
    const fd = openSync(path, READ);
    try {
      const pid = Number.parseInt(readFileSync(fd, 'utf8'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
};

/** Whether a process with this pid runs (another user's counts: we may not signal it). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The live process holding the lock at `path`, if any (a stale lock holds nothing). */
export const liveHolder = (path: string): number | undefined => {
  const pid = lockHolder(path);
  return pid !== undefined && pid !== process.pid && alive(pid) ? pid : undefined;
};

const create = (path: string): void => {
  // O_EXCL: never through a planted file or link, and only one creator wins.
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
};

const lockAt = (path: string): Lock => {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Only our own: should it have been taken over meanwhile, it is not ours to remove.
    if (lockHolder(path) === process.pid) rmSync(path, { force: true });
  };
  process.once('exit', release);
  return { release };
};

/** Take the lock at `path`, taking over a stale one; or say who holds it, or why not. */
export const takeLock = (path: string): { lock: Lock } | { refused: Refusal } => {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      create(path);
      return { lock: lockAt(path) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return { refused: { kind: 'failed', reason: (err as Error).message } };
      const pid = liveHolder(path);
      if (pid !== undefined) return { refused: { kind: 'held', pid } };
      // Left by a run that ended without removing it: nobody holds it.
      rmSync(path, { force: true });
    }
  }
  return { refused: { kind: 'failed', reason: `${path} is being taken by another parley` } };
};

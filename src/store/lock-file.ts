/**
 * One parley at a time per outbox file. Each run rewrites the whole file from what it holds,
 * so two runs as the same name (a chat and a `listen`, or `send --queue`) would each write
 * over the other's messages. The first takes `lock-<file>` (its pid inside, and on Linux the
 * process's start time); the others see whose it is. A lock left by a run that could not
 * remove it (kill -9, a crash) names a process that no longer exists — or, after a reboot or
 * in a restarted container, a pid that another process now has, which its start time tells
 * apart — and is taken over.
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

/** Who a lock file names: a pid, and the start time of that process when it was written. */
interface Holder {
  readonly pid: number;
  readonly startTime: string | undefined;
}

const readHolder = (path: string): Holder | undefined => {
  try {
    const fd = openSync(path, READ);
    try {
      const [pidText, startTime] = readFileSync(fd, 'utf8').trim().split(/\s+/);
      const pid = Number.parseInt(pidText ?? '', 10);
      return Number.isInteger(pid) && pid > 0 ? { pid, startTime } : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
};

/** The pid in a lock file; undefined when there is none or it cannot be read. */
export const lockHolder = (path: string): number | undefined => readHolder(path)?.pid;

/**
 * When process `pid` started, in clock ticks since boot (Linux's /proc/PID/stat, field 22);
 * undefined where there is no /proc. The command name (field 2) may hold spaces and
 * parentheses, so the fields are counted after its last ')'.
 */
export const startTimeOf = (pid: number | 'self'): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
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

/** Whether the holder still runs: its pid, and (where it can be told) the same process. */
const stillRuns = ({ pid, startTime }: Holder): boolean => {
  if (!alive(pid)) return false;
  const now = startTime === undefined ? undefined : startTimeOf(pid);
  return now === undefined || now === startTime;
};

/** The live process holding the lock at `path`, if any (a stale lock holds nothing). */
export const liveHolder = (path: string): number | undefined => {
  const holder = readHolder(path);
  return holder !== undefined && holder.pid !== process.pid && stillRuns(holder)
    ? holder.pid
    : undefined;
};

const create = (path: string): void => {
  // O_EXCL: never through a planted file or link, and only one creator wins.
  const fd = openSync(path, 'wx', 0o600);
  try {
    const startTime = startTimeOf('self');
    writeSync(fd, `${process.pid}${startTime === undefined ? '' : ` ${startTime}`}\n`);
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

/**
 * One parley at a time per outbox file. Each run rewrites the whole file from what it holds,
 * so two runs as the same name (a chat and a `listen`, or `send --queue`) would each write
 * over the other's messages. The first takes `lock-<file>`; the others see whose it is.
 *
 * The lock holds a record: the pid, on Linux the process's start time, and a random nonce
 * that makes each lock one of a kind. It is written whole to a private temporary file and
 * hard-linked to the lock's name: link(2) is atomic and never replaces a file, so exactly one
 * of any number of simultaneous starts gets it, and nobody ever reads it empty or half-written.
 *
 * A lock left by a run that could not remove it (kill -9, a crash) names a process that no
 * longer exists — or, after a reboot or in a restarted container, a pid that another process
 * now has, which its start time tells apart — and is taken over. Removing it is the dangerous
 * step: two starts that both judged it stale must not remove it twice (the second would
 * remove the lock the first just took). So the right to remove one stale lock is itself
 * taken by link, at a name made from that lock's record (`…takeover-<digest>`): one start
 * wins it, checks that the stale record is still the one in place, removes it, and gives the
 * claim back; the others wait and look again. A claim left by a start killed in that moment
 * is stale in turn and taken over the same way.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { errnoCode, type ParleyError, parleyError, whyOf } from '../errors.js';
import { LOCK_RETRY_MS, LOCK_TAKEOVER_WAIT_MS } from '../limits.js';
import { tempNameFor } from './atomic-file.js';

export interface Lock {
  /** Give the lock back (idempotent; also done when the process exits). */
  readonly release: () => void;
}

/** Why the lock was not had: another live process (`pid`) holds it, or the file system said no. */
export type LockError =
  | (ParleyError<'lock_held'> & { readonly pid: number })
  | ParleyError<'lock_failed'>;

const held = (path: string, pid: number): LockError => ({
  ...parleyError('lock_held', `${path} is held by another parley (pid ${pid})`),
  pid,
});

const READ = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
/** A record is a line of three short fields; anything longer is not one of ours. */
const MAX_RECORD_BYTES = 256;

/** Who a lock file names: a pid, and the start time of that process when it was written. */
interface Holder {
  readonly pid: number;
  readonly startTime: string | undefined;
}

/**
 * What the lock file at `path` holds; undefined when there is none. One that cannot be read
 * (a link, no permission) reads as '', which names nobody: stale.
 */
const readRecord = (path: string): string | undefined => {
  let fd: number;
  try {
    fd = openSync(path, READ);
  } catch (err) {
    return errnoCode(err) === 'ENOENT' ? undefined : '';
  }
  try {
    const buffer = Buffer.alloc(MAX_RECORD_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
};

/** The holder a record names ("pid start nonce", "pid start" or "pid"; '-': no start time). */
const parseRecord = (record: string | undefined): Holder | undefined => {
  if (record === undefined || record.length > MAX_RECORD_BYTES) return undefined;
  const [pidText, startTime] = record.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, startTime: startTime === '-' ? undefined : startTime };
};

/** The pid in a lock file; undefined when there is none or it cannot be read. */
export const lockHolder = (path: string): number | undefined => parseRecord(readRecord(path))?.pid;

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
    return errnoCode(err) === 'EPERM';
  }
};

/** Whether the holder still runs: its pid, and (where it can be told) the same process. */
const stillRuns = ({ pid, startTime }: Holder): boolean => {
  if (!alive(pid)) return false;
  const now = startTime === undefined ? undefined : startTimeOf(pid);
  return now === undefined || now === startTime;
};

/**
 * The live process a record names, if any. Our own pid holds nothing: it is an earlier
 * process's that had our pid (in this process, locks are taken one after the other).
 */
const liveIn = (record: string | undefined): number | undefined => {
  const holder = parseRecord(record);
  return holder !== undefined && holder.pid !== process.pid && stillRuns(holder)
    ? holder.pid
    : undefined;
};

/** The live process holding the lock at `path`, if any (a stale lock holds nothing). */
export const liveHolder = (path: string): number | undefined => liveIn(readRecord(path));

/** Our record: pid, start time ('-' where it cannot be told), and a nonce of its own. */
const ourRecord = (): string =>
  `${process.pid} ${startTimeOf('self') ?? '-'} ${randomBytes(8).toString('hex')}\n`;

/**
 * Put `record` at `path` all at once, or throw EEXIST: written whole to a private temporary
 * file beside it (exclusively: never through a planted file or link), then hard-linked.
 */
const linkRecord = (path: string, record: string): void => {
  const temp = tempNameFor(path);
  writeFileSync(temp, record, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
};

type Step = 'again' | { readonly failed: string };

const failedWith = (err: unknown): Step => ({ failed: whyOf(err) });
const isExists = (err: unknown) => errnoCode(err) === 'EEXIST';

/** Claims of claims at most (each needs a start killed within the microseconds of a takeover). */
const MAX_CLAIM_DEPTH = 3;

/**
 * Remove the stale lock at `path` that held `stale` when it was read, unless another start is
 * doing it or has done it: 'again' either way (look at the lock again).
 */
const removeStale = (path: string, stale: string, record: string, depth = 0): Step => {
  const digest = createHash('sha256').update(stale).digest('hex').slice(0, 16);
  const claim = `${path}.takeover-${digest}`;
  try {
    linkRecord(claim, record);
  } catch (err) {
    if (!isExists(err)) return failedWith(err);
    const other = readRecord(claim);
    if (other === undefined || liveIn(other) !== undefined) return 'again';
    if (depth >= MAX_CLAIM_DEPTH) {
      return { failed: `${claim} is left by a parley that ended while taking over: remove it` };
    }
    return removeStale(claim, other, record, depth + 1);
  }
  try {
    // Ours alone to remove now; if what is there is not the stale record, another start
    // took it over before we claimed it, and it is theirs.
    if (readRecord(path) === stale) rmSync(path, { force: true });
    return 'again';
  } catch (err) {
    return failedWith(err);
  } finally {
    rmSync(claim, { force: true });
  }
};

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

const lockAt = (path: string, record: string): Lock => {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Only our own: should it have been taken over meanwhile, it is not ours to remove.
    if (readRecord(path) === record) rmSync(path, { force: true });
  };
  process.once('exit', release);
  return { release };
};

/** Take the lock at `path`, taking over a stale one; or say who holds it, or why not. */
export const takeLock = (
  path: string,
  waitMs = LOCK_TAKEOVER_WAIT_MS,
): E.Either<LockError, Lock> => {
  const record = ourRecord();
  const giveUpAt = Date.now() + waitMs;
  for (let first = true; first || Date.now() < giveUpAt; first = false) {
    try {
      linkRecord(path, record);
      return E.right(lockAt(path, record));
    } catch (err) {
      if (!isExists(err)) return E.left(parleyError('lock_failed', whyOf(err)));
    }
    const found = readRecord(path);
    // Given back meanwhile: try again at once.
    if (found === undefined) continue;
    const pid = liveIn(found);
    if (pid !== undefined) return E.left(held(path, pid));
    const step = removeStale(path, found, record);
    if (step !== 'again') return E.left(parleyError('lock_failed', step.failed));
    // Another start may be removing it: give it a moment before looking again.
    if (readRecord(path) === found) pause(LOCK_RETRY_MS);
  }
  const pid = liveHolder(path);
  return E.left(
    pid !== undefined
      ? held(path, pid)
      : parleyError('lock_failed', `${path} is being taken by another parley`),
  );
};

/**
 * Messages handed to the parley that holds an outbox by another process of the same name
 * (`send --queue` while a `listen` runs): that parley rewrites its outbox file from memory,
 * so nobody else may write it. Each message is instead dropped, one file each, into a folder
 * beside it (`inbox-<name>`), written atomically; the holder looks there at start and every
 * second, takes what it finds into its outbox, and removes the file. No secret is written:
 * a message goes to a contact by name, with its password from the holder's directory.
 */
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { asyncScheduler, Observable, type SchedulerLike, timer } from 'rxjs';
import { Group, MessageText, Username, Uuid } from '../codecs/formats.js';
import { describeErrors } from '../codecs/report.js';
import { errnoCode, type ParleyError, parleyError, reworded, whyOf } from '../errors.js';
import { INBOX_REMEMBERED_IDS, MAX_HANDED_FILE_BYTES } from '../limits.js';
import type { OutboxEntry } from '../node/state.js';
import { writeFileAtomicallySync } from './atomic-file.js';
import { waitingEntry } from './outbox-file.js';

const HandedMessage = t.type({
  version: t.literal(1),
  msg_id: Uuid,
  to: t.type({ username: Username, host: t.string, port: t.number }),
  // Bounded as a message is: one that could never go out is refused here, not retried forever.
  text: MessageText,
  group: Group,
  /** Tries already made by the process that handed it over. */
  attempts: t.number,
  /** Its last try's failure was a password mismatch: it waits paused, as in the outbox. */
  paused: t.boolean,
  /** When it was written (ms since the epoch); absent in files of older versions. */
  written_at: t.union([t.number, t.undefined]),
});
export type HandedMessage = Omit<t.TypeOf<typeof HandedMessage>, 'written_at'> & {
  readonly written_at?: number;
};

/** How often the holder looks into its inbox. */
export const INBOX_POLL_MS = 1_000;
/** At most this many files are read at each look (the rest wait for the next). */
export const INBOX_BATCH = 100;

const HANDED_OVER = 'handed over by another parley of this name';

/**
 * Drop `message` into the inbox folder `dir` (made 0700 if missing): one file, atomically,
 * named by the time it was handed in so that messages are taken in the order they came.
 */
export const handIn = (dir: string, message: HandedMessage, nowMs = Date.now()): string => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${String(nowMs).padStart(15, '0')}-${message.msg_id}.json`);
  writeFileAtomicallySync(path, `${JSON.stringify(message)}\n`);
  return path;
};

const toEntry = (m: HandedMessage): OutboxEntry =>
  waitingEntry(
    {
      msgId: m.msg_id,
      text: m.text,
      to: { ...m.to },
      group: m.group,
      ...(m.written_at === undefined ? {} : { writtenAt: m.written_at }),
    },
    HANDED_OVER,
    m.attempts,
    m.paused,
  );

/** Only a regular file of ours, never through a link, never waiting on a FIFO or a device. */
const OPEN_HANDED = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** A handed-in file that cannot be read, taken or moved aside. */
export type InboxFileError = ParleyError<'inbox_file'>;

const inboxFileError = (message: string): InboxFileError => parleyError('inbox_file', message);

/** The text of the handed-in file at `path`, or why it is not one to read. */
const readHandedFile = (path: string): E.Either<InboxFileError, string> => {
  let fd: number;
  try {
    fd = openSync(path, OPEN_HANDED);
  } catch (err) {
    return E.left(inboxFileError(errnoCode(err) === 'ELOOP' ? 'a link, not followed' : whyOf(err)));
  }
  try {
    const facts = fstatSync(fd);
    const uid = process.getuid?.();
    if (!facts.isFile()) return E.left(inboxFileError('not a regular file'));
    if (uid !== undefined && facts.uid !== uid) {
      return E.left(inboxFileError(`it belongs to another user (uid ${facts.uid})`));
    }
    if (facts.size > MAX_HANDED_FILE_BYTES) {
      return E.left(
        inboxFileError(`${facts.size} bytes, more than any message (${MAX_HANDED_FILE_BYTES})`),
      );
    }
    const buffer = Buffer.alloc(facts.size);
    const length = readSync(fd, buffer, 0, facts.size, 0);
    return E.right(buffer.subarray(0, length).toString('utf8'));
  } catch (err) {
    return E.left(inboxFileError(whyOf(err)));
  } finally {
    closeSync(fd);
  }
};

const decodeFile = (path: string): E.Either<InboxFileError, HandedMessage> =>
  E.mapLeft((why: InboxFileError) => reworded(why, `${path}: `))(
    E.chain((text: string) => {
      try {
        return E.mapLeft((errors: t.Errors) => inboxFileError(describeErrors(errors)))(
          HandedMessage.decode(JSON.parse(text)),
        );
      } catch (err) {
        return E.left(inboxFileError(whyOf(err)));
      }
    })(readHandedFile(path)),
  );

/**
 * Out of the way of the next look (renamed, which never follows a link), kept for a person to
 * read; never thrown. Left: it could not be moved either.
 */
const moveAside = (path: string, suffix: string): E.Either<InboxFileError, string> => {
  try {
    renameSync(path, `${path}.${suffix}`);
    return E.right(`moved to ${path}.${suffix}`);
  } catch (err) {
    return E.left(inboxFileError(`it could not be moved aside (${whyOf(err)})`));
  }
};

/** A message found in the inbox, and the file to remove once it is in the outbox. */
interface Found {
  readonly entry: OutboxEntry;
  readonly path: string;
}

/** What one look into the inbox found. */
export interface Look {
  readonly found: readonly Found[];
  readonly warnings: readonly string[];
  /** Files that could not be read nor moved aside: not to be looked at again this run. */
  readonly stuck: readonly string[];
}

/**
 * Read the messages in the inbox folder `dir`, oldest first, at most `limit`, leaving out the
 * files in `skip`. A file that is not a regular file of ours, or does not decode, is moved
 * aside (`.unreadable`, never lost) and said. Temporary files of a write in progress (`.…tmp`)
 * are left alone. Nothing is removed here: see `handedIn$`.
 */
export const readHandedIn = (
  dir: string,
  limit = INBOX_BATCH,
  skip: ReadonlySet<string> = new Set(),
): Look => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { found: [], warnings: [], stuck: [] };
  }
  const found: Found[] = [];
  const warnings: string[] = [];
  const stuck: string[] = [];
  const oldestFirst = names
    .filter((n) => n.endsWith('.json') && !n.startsWith('.') && !skip.has(join(dir, n)))
    .sort();
  for (const name of oldestFirst.slice(0, limit)) {
    const path = join(dir, name);
    const decoded = decodeFile(path);
    if (E.isRight(decoded)) {
      found.push({ entry: toEntry(decoded.right), path });
      continue;
    }
    const moved = moveAside(path, 'unreadable');
    if (E.isLeft(moved)) stuck.push(path);
    warnings.push(
      `${decoded.left.message}; ${E.isRight(moved) ? moved.right : moved.left.message}`,
    );
  }
  return { found, warnings, stuck };
};

/** How many of these, in order, the outbox can take now (its caps). */
export type Admit = (entries: readonly OutboxEntry[]) => number;

/**
 * Write the outbox file, durably, with what the node holds now (the messages just taken
 * included), unless it already holds that. Left: why it could not.
 */
export type Keep = () => E.Either<ParleyError<'outbox_file'>, void>;

/**
 * What arrives in the inbox folder `dir`: looked at at once, then every `pollMs`. Of each
 * batch, what the outbox has room for (`admit`, oldest first) is emitted; the subscriber
 * folds it into the outbox synchronously, and only once the outbox file holds it (`keep`)
 * are those files removed. A crash in between leaves the file, taken again at the next start
 * (the outbox keeps one entry per message). An outbox file that cannot be written (a full
 * disk) leaves them in the folder, said once, and tried again at each look. The rest wait
 * their turn in the folder, said once while the outbox is full. A file that cannot be
 * removed is moved aside (`.taken`), or else never taken again this run, and said; a second
 * file with a msg_id already taken is moved aside (`.duplicate`) and said.
 */
export const handedIn$ = (
  dir: string,
  tell: (warning: string) => void,
  admit: Admit,
  keep: Keep,
  { pollMs = INBOX_POLL_MS, scheduler = asyncScheduler }: InboxPolling = {},
): Observable<readonly OutboxEntry[]> =>
  new Observable<readonly OutboxEntry[]>((subscriber) => {
    let saidFull = false;
    /** Taken into the outbox, not yet in its file: removed once it is. */
    let unkept: readonly string[] = [];
    /** Files not to look at again: they could not be moved out of the way. */
    const stuck = new Set<string>();
    /** The msg_ids taken this run (the oldest forgotten first), to tell a second file. */
    const taken = new Set<string>();

    const removeAll = (paths: readonly string[]) => {
      for (const path of paths) {
        const why = removeFile(path);
        if (why === undefined) continue;
        const moved = moveAside(path, 'taken');
        if (E.isLeft(moved)) stuck.add(path);
        const then = E.isRight(moved)
          ? `${moved.right}, so that it is not taken again`
          : `${moved.left.message}: it is not taken again while parley runs; remove it by hand`;
        tell(`${path} is in the outbox but could not be removed (${why}); ${then}`);
      }
    };
    const kept = (): boolean => {
      const result = keep();
      if (E.isRight(result)) return true;
      if (unkept.length === 0) {
        tell(
          `messages handed in are not yet in the outbox file (${result.left.message}): they stay in ${dir} until it can be written`,
        );
      }
      return false;
    };
    const fresh = (found: readonly Found[]): Found[] =>
      found.filter(({ entry, path }) => {
        const id = entry.job.msgId;
        if (!taken.has(id)) {
          remember(taken, id);
          return true;
        }
        const moved = moveAside(path, 'duplicate');
        if (E.isLeft(moved)) stuck.add(path);
        tell(
          `${path} holds message ${id} again, already taken: not sent twice; ${E.isRight(moved) ? moved.right : moved.left.message}`,
        );
        return false;
      });

    return timer(0, pollMs, scheduler).subscribe(() => {
      if (unkept.length > 0 && kept()) {
        removeAll(unkept);
        unkept = [];
      }
      const look = readHandedIn(dir, INBOX_BATCH, new Set([...stuck, ...unkept]));
      for (const warning of look.warnings) tell(warning);
      for (const path of look.stuck) stuck.add(path);
      const found = look.found;
      const room = admit(found.map((f) => f.entry));
      const admitted = found.slice(0, room);
      if (admitted.length < found.length && !saidFull) {
        tell(`the outbox is full: messages handed in wait in ${dir} until some go out`);
      }
      saidFull = admitted.length < found.length;
      const batch = fresh(admitted);
      if (batch.length === 0) return;
      subscriber.next(batch.map((f) => f.entry));
      const paths = batch.map((f) => f.path);
      if (unkept.length === 0 && kept()) removeAll(paths);
      else unkept = [...unkept, ...paths];
    });
  });

/** Remove a file taken into the outbox; undefined once it is gone, else why not. */
const removeFile = (path: string): string | undefined => {
  try {
    rmSync(path, { force: true });
    return undefined;
  } catch (err) {
    return whyOf(err);
  }
};

const remember = (ids: Set<string>, id: string) => {
  ids.add(id);
  if (ids.size <= INBOX_REMEMBERED_IDS) return;
  const oldest = ids.values().next().value;
  if (oldest !== undefined) ids.delete(oldest);
};

export interface InboxPolling {
  readonly pollMs?: number;
  readonly scheduler?: SchedulerLike;
}

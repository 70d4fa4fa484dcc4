/**
 * Messages handed to the parley that holds an outbox by another process of the same name
 * (`send --queue` while a `listen` runs): that parley rewrites its outbox file from memory,
 * so nobody else may write it. Each message is instead dropped, one file each, into a folder
 * beside it (`inbox-<name>`), written atomically; the holder looks there at start and every
 * second, takes what it finds into its outbox, and removes the file. No secret is written:
 * a message goes to a contact by name, with its password from the holder's directory.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { asyncScheduler, Observable, type SchedulerLike, timer } from 'rxjs';
import { Group, MessageText, Username, Uuid } from '../codecs/formats.js';
import { describeErrors } from '../codecs/report.js';
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
});
export type HandedMessage = t.TypeOf<typeof HandedMessage>;

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
    { msgId: m.msg_id, text: m.text, to: { ...m.to }, group: m.group },
    HANDED_OVER,
    m.attempts,
    m.paused,
  );

const decodeFile = (path: string): E.Either<string, HandedMessage> => {
  try {
    return E.mapLeft((errors: t.Errors) => `${path}: ${describeErrors(errors)}`)(
      HandedMessage.decode(JSON.parse(readFileSync(path, 'utf8'))),
    );
  } catch (err) {
    return E.left(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
};

/** Out of the way of the next look, kept for a person to read; never thrown. */
const moveAside = (path: string): string => {
  try {
    renameSync(path, `${path}.unreadable`);
    return `moved to ${path}.unreadable`;
  } catch (err) {
    return `it could not be moved aside (${err instanceof Error ? err.message : String(err)})`;
  }
};

/** Removed once taken; a file that cannot be removed is taken again later, and kept once. */
const remove = (path: string): void => {
  try {
    rmSync(path, { force: true });
  } catch {
    // The outbox keeps one entry per message: taking it again changes nothing.
  }
};

/** A message found in the inbox, and the file to remove once it is in the outbox. */
interface Found {
  readonly entry: OutboxEntry;
  readonly path: string;
}

/**
 * Read every message in the inbox folder `dir`. A file that does not decode is moved aside
 * (`.unreadable`, never lost) and said. Temporary files of a write in progress (`.…tmp`) are
 * left alone. Nothing is removed here: see `handedIn$`.
 */
export const readHandedIn = (
  dir: string,
  limit = INBOX_BATCH,
): { readonly found: readonly Found[]; readonly warnings: readonly string[] } => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { found: [], warnings: [] };
  }
  const found: Found[] = [];
  const warnings: string[] = [];
  const oldestFirst = names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  for (const name of oldestFirst.slice(0, limit)) {
    const path = join(dir, name);
    const decoded = decodeFile(path);
    if (E.isRight(decoded)) {
      found.push({ entry: toEntry(decoded.right), path });
      continue;
    }
    warnings.push(`${decoded.left}; ${moveAside(path)}`);
  }
  return { found, warnings };
};

/** How many of these, in order, the outbox can take now (its caps). */
export type Admit = (entries: readonly OutboxEntry[]) => number;

/**
 * What arrives in the inbox folder `dir`: looked at at once, then every `pollMs`. Of each
 * batch, what the outbox has room for (`admit`, oldest first) is emitted, and only those
 * files removed, after the subscriber has taken them (the pipeline folds them into the
 * outbox and writes the outbox file synchronously): a crash in between leaves the file, taken
 * again at the next start (the outbox keeps one entry per message). The rest wait their turn
 * in the folder, said once while the outbox is full.
 */
export const handedIn$ = (
  dir: string,
  tell: (warning: string) => void,
  admit: Admit,
  { pollMs = INBOX_POLL_MS, scheduler = asyncScheduler }: InboxPolling = {},
): Observable<readonly OutboxEntry[]> =>
  new Observable<readonly OutboxEntry[]>((subscriber) => {
    let saidFull = false;
    return timer(0, pollMs, scheduler).subscribe(() => {
      const { found, warnings } = readHandedIn(dir);
      for (const warning of warnings) tell(warning);
      const taken = found.slice(0, admit(found.map((f) => f.entry)));
      if (taken.length < found.length && !saidFull) {
        tell(`the outbox is full: messages handed in wait in ${dir} until some go out`);
      }
      saidFull = taken.length < found.length;
      if (taken.length === 0) return;
      subscriber.next(taken.map((f) => f.entry));
      for (const { path } of taken) remove(path);
    });
  });

export interface InboxPolling {
  readonly pollMs?: number;
  readonly scheduler?: SchedulerLike;
}

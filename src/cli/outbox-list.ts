/**
 * `parley outbox`: what waits in the outbox of a name (or of every name), read from the state
 * directory without changing anything there: a parley running as that name may be sending it.
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { ParleyError } from '../errors.js';
import type { OutboxEntry } from '../node/state.js';
import { liveHolder } from '../store/lock-file.js';
import { lockFileOf, outboxFileOf } from '../store/name-store.js';
import { readOutboxFile } from '../store/outbox-file.js';
import { prepareStateDirectory } from '../store/state-dir.js';
import { EXIT, type OutboxOptions } from './args.js';
import { say } from './common.js';
import { excerpt, nameOf } from './text.js';
import { messages, pausedNote } from './waiting.js';

/** One name's outbox as read: its file, its messages, and the parley sending them, if any. */
export interface Listed {
  readonly name: string;
  readonly path: string;
  readonly entries: readonly OutboxEntry[];
  /** The pid of a parley running as this name now (it sends them on its own schedule). */
  readonly runningPid: number | undefined;
}

/** Where each message stands: `on_start` (sent when a parley of the name starts), `running`, or paused. */
export type NextTry = 'on_start' | 'running' | null;

export const nextTryOf = (entry: OutboxEntry, listed: Listed): NextTry =>
  entry.paused ? null : listed.runningPid === undefined ? 'on_start' : 'running';

/** One JSON line per message, snake_case as the CLI's other JSON. */
export const entryJson = (entry: OutboxEntry, listed: Listed): string =>
  JSON.stringify({
    name: listed.name,
    msg_id: entry.job.msgId,
    to: {
      username: entry.job.to.username ?? null,
      host: entry.job.to.host,
      port: entry.job.to.port,
    },
    text: entry.job.text,
    bytes: Buffer.byteLength(entry.job.text, 'utf8'),
    attempts: entry.attempts,
    paused: entry.paused,
    next_try: nextTryOf(entry, listed),
  });

const attemptsOf = (n: number): string => (n === 1 ? '1 attempt' : `${n} attempts`);

const whenOf = (entry: OutboxEntry, number: number, listed: Listed): string => {
  switch (nextTryOf(entry, listed)) {
    case null:
      return pausedNote(entry, `in the chat as ${listed.name}, /retry ${number}`);
    case 'running':
      return `the parley running as ${listed.name} sends it on its schedule`;
    default:
      return `goes out as soon as a chat or listen as ${listed.name} starts`;
  }
};

/** A name's outbox for a person: a heading, then a line per message. */
export const formatListed = (listed: Listed): string => {
  const running =
    listed.runningPid === undefined
      ? ''
      : `; parley (pid ${listed.runningPid}) runs as ${listed.name}`;
  if (listed.entries.length === 0) return `outbox of ${listed.name}: empty${running}`;
  const head = `outbox of ${listed.name} (${listed.path}): ${messages(listed.entries.length)}${running}`;
  const lines = listed.entries.map(
    (entry, i) =>
      `  ${i + 1}) to ${nameOf(entry.job.to)} ${excerpt(entry.job.text)} — ` +
      `${attemptsOf(entry.attempts)}; ${whenOf(entry, i + 1, listed)}`,
  );
  return [head, ...lines].join('\n');
};

const OUTBOX_FILE = /^outbox-(.+)$/;
const SET_ASIDE = /\.unreadable-\d+$/;

/** The names with an outbox file in `dir` (files set aside as unreadable are not one). */
const namesIn = (dir: string): string[] =>
  readdirSync(dir).flatMap((file) => {
    const match = OUTBOX_FILE.exec(file);
    if (match === null || SET_ASIDE.test(file)) return [];
    try {
      return [decodeURIComponent(match[1]!)];
    } catch {
      return [];
    }
  });

const listOne = (dir: string, name: string): E.Either<ParleyError<'outbox_file'>, Listed> => {
  const path = outboxFileOf(dir, name);
  return E.map((entries: readonly OutboxEntry[]) => ({
    name,
    path,
    entries,
    runningPid: liveHolder(lockFileOf(path)),
  }))(readOutboxFile(path));
};

export const runOutbox = (options: OutboxOptions): number => {
  const dir = prepareStateDirectory();
  if (E.isLeft(dir)) {
    say(dir.left.message);
    return EXIT.failed;
  }
  if (dir.right.kind === 'unavailable') {
    say(`cannot read the state directory ${dir.right.path} (${dir.right.reason})`);
    return EXIT.failed;
  }
  const { path } = dir.right;
  const names = options.name === undefined ? namesIn(path) : [options.name];
  if (names.length === 0 && !options.json) {
    process.stdout.write(`no outbox in ${path}: nothing waits\n`);
  }
  let status: number = EXIT.ok;
  for (const name of names) {
    const listed = listOne(path, name);
    if (E.isLeft(listed)) {
      say(
        `${listed.left.message}; ${basename(outboxFileOf(path, name))} is set aside when ${name} next runs`,
      );
      status = EXIT.failed;
      continue;
    }
    const text = options.json
      ? listed.right.entries.map((e) => entryJson(e, listed.right)).join('\n')
      : formatListed(listed.right);
    if (text !== '') process.stdout.write(`${text}\n`);
  }
  return status;
};

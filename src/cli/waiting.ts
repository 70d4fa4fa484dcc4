/**
 * A message that waits in the outbox, told in a person's words: that it waits, when it goes
 * out by itself, or why it does not (a password mismatch pauses it) and what to do.
 */
import type { OutboxEntry } from '../node/state.js';
import { passwordTrouble } from './refusals.js';

/** Where a failed message waits: its number in /outbox, its entry, and the clock now. */
export interface Waiting {
  readonly number: number;
  readonly entry: OutboxEntry;
  /** The node's clock (scheduler ms), as `entry.nextTryAt` is. */
  readonly nowMs: number;
}

/** `in 8 s`, `in 4 min`, `in 2 h`; `now` once it is due. */
export const inTime = (ms: number): string => {
  if (ms <= 0) return 'now';
  if (ms < 60_000) return `in ${Math.ceil(ms / 1000)} s`;
  if (ms < 3_600_000) return `in ${Math.round(ms / 60_000)} min`;
  return `in ${Math.round(ms / 3_600_000)} h`;
};

/**
 * Why a paused message does not go out by itself, and what sends it. `/edit` only when our
 * own check of the peer's proof failed: an error frame saying "wrong password" is anyone's
 * word, and trying other passwords on it is what an impostor wants.
 */
export const pausedNote = (entry: OutboxEntry, retry: string): string => {
  const who = entry.report.to.username;
  if (passwordTrouble(entry.report)) {
    // A password corrected in the directory file while parley was not running is no change
    // that /edit could make: say what sends it then.
    return `paused: it does not go out by itself until /edit ${who} corrects the password (it goes at once then); if the directory already has the right one, ${retry} sends it`;
  }
  const until = who === undefined ? '' : `, until ${who} reaches you`;
  return `paused after a password mismatch: it does not go out by itself${until}; ${retry} tries again`;
};

/** When the message goes out by itself, or why it does not. */
export const waitNote = ({ number, entry, nowMs }: Waiting): string => {
  const retry = `/retry ${number}`;
  if (entry.paused) return pausedNote(entry, retry);
  if (entry.nextTryAt === undefined) return `${retry} sends it now`;
  const when = inTime(entry.nextTryAt - nowMs);
  return when === 'now' ? 'next try now' : `next try ${when}, or ${retry} now`;
};

/** The end of a failed send's line in the chat: it waits, and what happens next. */
export const waitingHint = (waiting: Waiting | undefined): string =>
  waiting === undefined ? '' : ` — waits in the outbox (${waiting.number}); ${waitNote(waiting)}`;

/** A number of messages, as a person counts them. */
export const messages = (n: number): string => (n === 1 ? '1 message' : `${n} messages`);

/** `n` messages doing something: "it"/"they" when they are all there are, else the number. */
const someOf = (n: number, all: boolean, [one, many]: readonly [string, string]): string =>
  `${all ? (n === 1 ? 'it' : 'they') : n} ${n === 1 ? one : many}`;

/**
 * Said at start when the outbox kept messages from the last run: how many go out by
 * themselves now, and how many wait paused (which do not).
 */
export const keptFromLastTime = (outbox: readonly Pick<OutboxEntry, 'paused'>[]): string => {
  const paused = outbox.filter((e) => e.paused).length;
  const going = outbox.length - paused;
  const goes = `${someOf(going, paused === 0, ['goes', 'go'])} out now, by ${going === 1 ? 'itself' : 'themselves'}`;
  const waits = `${someOf(paused, going === 0, ['waits', 'wait'])} paused after a password mismatch`;
  const said = [going > 0 ? goes : '', paused > 0 ? waits : ''].filter((part) => part !== '');
  return `the outbox kept ${messages(outbox.length)} from last time: ${said.join('; ')}`;
};

/**
 * The history in a person's words: a message as a line, the chat's start screen (the last
 * lines of each conversation, and apart what arrived since the last chat), /history and /find.
 * Pure functions from records to text.
 */

import { printable, printableText } from '../codecs/printable.js';
import {
  HISTORY_DEFAULT_LINES,
  HISTORY_START_CONTACTS,
  HISTORY_START_LINES,
  MAX_USERNAME_CHARS,
} from '../limits.js';
import type { ChatMark, HistoryRecord } from '../store/history-codec.js';
import { historyKey } from '../store/history-codec.js';
import { joinPartRecords } from '../store/history-parts.js';
import { type HistoryStore, unseenSince } from '../store/history-store.js';

const two = (n: number): string => String(n).padStart(2, '0');

/** Local date and time, `2026-12-02 10:05:03`. */
export const dateTime = (ms: number): string => {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
};

const STATE_MARK = { delivered: '✓', waiting: '(waiting)', given_up: '(not delivered)' } as const;

/** `[2026-12-02 10:05:03] alice: hi`, or `… you → bob: hi ✓` for a sent one. */
export const formatHistoryLine = (r: HistoryRecord): string => {
  const who = printable(r.contact, MAX_USERNAME_CHARS);
  const head = `[${dateTime(r.atMs)}] ${r.direction === 'in' ? who : `you → ${who}`}: `;
  const body = printableText(r.text)
    .split('\n')
    .join(`\n${' '.repeat(head.length)}`);
  return r.state === undefined ? `${head}${body}` : `${head}${body} ${STATE_MARK[r.state]}`;
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The contacts, the one spoken with last first, each with its records (oldest first). */
const byContact = (records: readonly HistoryRecord[]): [string, HistoryRecord[]][] => {
  const groups = new Map<string, HistoryRecord[]>();
  for (const r of records) groups.set(r.contact, [...(groups.get(r.contact) ?? []), r]);
  const last = (rs: HistoryRecord[]) => Math.max(...rs.map((r) => r.atMs));
  return [...groups].sort(([, a], [, b]) => last(b) - last(a));
};

/**
 * What the chat says at start: the last lines of the most recent conversations, then what
 * arrived since this name last had a chat open (`2 new messages from alice`), each contact's
 * apart. Nothing when there is no history.
 */
export const startScreen = (
  records: readonly HistoryRecord[],
  mark: ChatMark | undefined,
): string[] => {
  const unseen = unseenSince(records, mark);
  const unseenKeys = new Set(unseen.map(historyKey));
  const seen = records.filter((r) => !unseenKeys.has(historyKey(r)));
  const out: string[] = [];
  const recent = byContact(seen).slice(0, HISTORY_START_CONTACTS);
  if (recent.length > 0) {
    out.push('Earlier (/history NAME shows more):');
    for (const [, rs] of recent) {
      for (const r of rs.slice(-HISTORY_START_LINES)) out.push(`  ${formatHistoryLine(r)}`);
    }
  }
  for (const [contact, rs] of byContact(unseen).reverse()) {
    const who = printable(contact, MAX_USERNAME_CHARS);
    out.push(`${plural(rs.length, 'new message', 'new messages')} from ${who}:`);
    for (const r of rs) out.push(`  ${formatHistoryLine(r)}`);
  }
  return out;
};

/** /history [NAME] [N]: the last N lines (with NAME: of that conversation). */
export const historyText = (
  records: readonly HistoryRecord[],
  contact: string | undefined,
  count = HISTORY_DEFAULT_LINES,
): string => {
  const mine = contact === undefined ? records : records.filter((r) => r.contact === contact);
  if (mine.length === 0) {
    return contact === undefined
      ? 'no history yet: what you send and receive is kept here'
      : `no history with ${printable(contact, MAX_USERNAME_CHARS)} yet`;
  }
  const shown = mine.slice(-count);
  const head =
    shown.length < mine.length
      ? [
          `the last ${shown.length} of ${mine.length} messages (/history ${contact ?? ''} N shows more):`.replace(
            '  ',
            ' ',
          ),
        ]
      : [];
  return [...head, ...shown.map(formatHistoryLine)].join('\n');
};

/** /find WORDS: the messages holding every word (any case), the most recent last. */
export const findText = (records: readonly HistoryRecord[], words: readonly string[]): string => {
  const wanted = words.map((w) => w.toLowerCase());
  const found = records.filter((r) => {
    const text = r.text.toLowerCase();
    return wanted.every((w) => text.includes(w));
  });
  if (found.length === 0) return `nothing in the history holds ${words.join(' ')}`;
  const shown = found.slice(-HISTORY_DEFAULT_LINES);
  const head =
    shown.length < found.length
      ? `${found.length} messages hold ${words.join(' ')}; the last ${shown.length}:`
      : `${plural(found.length, 'message holds', 'messages hold')} ${words.join(' ')}:`;
  return [head, ...shown.map(formatHistoryLine)].join('\n');
};

/**
 * The chat has shown all that arrived until now: marked in the history, so that the next
 * chat says only what came after (received by a `listen` of this name meanwhile). A mark
 * that cannot be written costs only a message said twice as new.
 */
export const markChatSeen = (history: HistoryStore | undefined, nowMs: number): void => {
  try {
    history?.markChatSeen(nowMs);
  } catch {
    // The history says why on its next write; the mark is a convenience.
  }
};

/** The start screen from the history, which is then marked seen. */
export const startScreenOnce = (history: HistoryStore | undefined, nowMs: number): string[] => {
  if (history === undefined) return [];
  const lines = startScreen(joinPartRecords(history.records()), history.chatMark());
  markChatSeen(history, nowMs);
  return lines;
};

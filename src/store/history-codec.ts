/**
 * The history file's lines (history-<name>): one JSON record per line, appended. A message
 * (received or sent: its id, the contact, the text, the sender's timestamp, when it was shown
 * or acknowledged, for a sent one its state), or the chat's mark (what it showed last). Never
 * a secret: no field can hold a password. Decoded with io-ts, bounded as a message is.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { MessageText, Uuid } from '../codecs/formats.js';
import { describeErrors } from '../codecs/report.js';
import { type ParleyError, parleyError } from '../errors.js';

/** What became of a sent message: acknowledged, still in the outbox, or out of it undelivered. */
export type SentState = 'delivered' | 'waiting' | 'given_up';

/** One message as the history keeps it (the library's and the CLI's view of it). */
export interface HistoryRecord {
  readonly msgId: string;
  readonly direction: 'in' | 'out';
  /** The other side: a username, or `host:port` for a destination typed by hand. */
  readonly contact: string;
  readonly text: string;
  /** The sender's timestamp (ISO 8601), as the message carried it. */
  readonly timestamp: string;
  /** When it was shown here (received), or last reported (sent: acknowledged when delivered). */
  readonly atMs: number;
  /** A sent message's state; none for a received one. */
  readonly state?: SentState;
}

/** What the chat showed last: the last received message then (its key), and when. */
export interface ChatMark {
  readonly afterKey: string | undefined;
  readonly atMs: number;
}

export type HistoryLine =
  | { readonly kind: 'message'; readonly record: HistoryRecord }
  | { readonly kind: 'mark'; readonly mark: ChatMark };

/** A record's identity: a received one by its sender and id (as the dedupe memory keys it). */
export const historyKey = (r: Pick<HistoryRecord, 'direction' | 'msgId' | 'contact'>): string =>
  r.direction === 'in' ? `in ${r.msgId} ${r.contact}` : `out ${r.msgId}`;

const Iso = new t.Type<number, string, unknown>(
  'IsoTime',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    const ms = typeof u === 'string' ? Date.parse(u) : Number.NaN;
    return Number.isNaN(ms) ? t.failure(u, c, 'an ISO 8601 time') : t.success(ms);
  },
  (ms) => new Date(ms).toISOString(),
);

const MessageLine = t.type({
  msg_id: Uuid,
  direction: t.keyof({ in: null, out: null }),
  contact: t.string,
  text: MessageText,
  timestamp: t.string,
  at: Iso,
  state: t.union([t.keyof({ delivered: null, waiting: null, given_up: null }), t.undefined]),
});

const MarkLine = t.type({
  mark: t.literal('chat'),
  after: t.union([t.string, t.null]),
  at: Iso,
});

/** One line as written (no newline). */
export const encodeHistoryLine = (line: HistoryLine): string => {
  if (line.kind === 'mark') {
    return JSON.stringify(
      MarkLine.encode({ mark: 'chat', after: line.mark.afterKey ?? null, at: line.mark.atMs }),
    );
  }
  return JSON.stringify(snakeCase(line.record));
};

/** A record in the CLI's and the file's words (snake_case, `at` as ISO 8601). */
export const snakeCase = (r: HistoryRecord) => ({
  msg_id: r.msgId,
  direction: r.direction,
  contact: r.contact,
  text: r.text,
  timestamp: r.timestamp,
  at: new Date(r.atMs).toISOString(),
  ...(r.state === undefined ? {} : { state: r.state }),
});

/** One line read back, or why not (`where`: the file and line, for the sentence). */
export const decodeHistoryLine = (
  text: string,
  where: string,
): E.Either<ParleyError, HistoryLine> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return E.left(parleyError('invalid_history', `${where} is not JSON`));
  }
  const bad = (errors: t.Errors) =>
    E.left(parleyError('invalid_history', `${where}: ${describeErrors(errors)}`));
  // A mark says so in its first field; anything else is read as a message.
  if (typeof json === 'object' && json !== null && 'mark' in json) {
    const mark = MarkLine.decode(json);
    if (E.isLeft(mark)) return bad(mark.left);
    const m = mark.right;
    return E.right({ kind: 'mark', mark: { afterKey: m.after ?? undefined, atMs: m.at } });
  }
  const decoded = MessageLine.decode(json);
  if (E.isLeft(decoded)) return bad(decoded.left);
  const v = decoded.right;
  const record: HistoryRecord = {
    msgId: v.msg_id,
    direction: v.direction,
    contact: v.contact,
    text: v.text,
    timestamp: v.timestamp,
    atMs: v.at,
    ...(v.state === undefined ? {} : { state: v.state }),
  };
  return E.right({ kind: 'message', record });
};

/** A file's lines read back; a last line cut short (no newline: a write killed) is left out. */
export interface ReadLines {
  readonly lines: readonly HistoryLine[];
  /** A last line without its newline was left out. */
  readonly cut: boolean;
  /** Lines in the file and its size in bytes, for when to compact. */
  readonly count: number;
  readonly bytes: number;
}

/** The text of a history file as its lines, or the first that cannot be read. */
export const decodeHistoryText = (text: string, path: string): E.Either<ParleyError, ReadLines> => {
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  const lines: HistoryLine[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '') continue;
    const line = decodeHistoryLine(part, `${path}, line ${i + 1}`);
    if (E.isLeft(line)) return line;
    lines.push(line.right);
  }
  return E.right({
    lines,
    cut: last !== '',
    count: lines.length,
    bytes: Buffer.byteLength(text, 'utf8'),
  });
};

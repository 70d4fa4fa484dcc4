/**
 * Long texts as numbered parts (docs/PROTOCOL.md, "Long texts: parts"): a text over one
 * message's MAX_PLAINTEXT_BYTES goes as n ≥ 2 messages whose plaintext is `(k/n) ` and a chunk,
 * and whose msg_ids are the group's id with its last 8 hex digits replaced by k. A receiver
 * joins parts only when the id fits AND the marker agrees: typing "(1/2)" forges nothing, the
 * sender's client picks the id. No wire change: a peer that does not join shows the parts.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { MessageText } from '../codecs/formats.js';
import { decodeText, type InputError } from '../codecs/inputs.js';
import { parleyError } from '../errors.js';
import { MAX_PLAINTEXT_BYTES, MAX_TEXT_PARTS, PART_BREAK_WINDOW_BYTES } from '../limits.js';

/** One part as the receiver reads it back from a message. */
export interface PartOf {
  /** The group's id: the parts' ids with the last 8 hex digits `00000000`. */
  readonly groupId: string;
  readonly k: number;
  readonly n: number;
  /** The part's text without its marker. */
  readonly chunk: string;
}

const marker = (k: number, n: number) => `(${k}/${n}) `;
const MARKER_RE = /^\(([1-9][0-9]?)\/([1-9][0-9]?)\) /;
const ID_RE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})([0-9a-f]{8})$/;

/** Part k's msg_id in the group of `groupId` (any UUID: its last 8 hex digits are replaced). */
export const partMsgId = (groupId: string, k: number): string =>
  `${groupId.slice(0, 28)}${k.toString(16).padStart(8, '0')}`;

/** The group's id for a fresh UUID (its last 8 hex digits zero). */
export const groupIdOf = (uuid: string): string => partMsgId(uuid, 0);

/** Whether a text needs parts at all. */
export const needsParts = (text: string): boolean =>
  Buffer.byteLength(text, 'utf8') > MAX_PLAINTEXT_BYTES;

/** How many UTF-16 units of `s` fit `budget` bytes of UTF-8, whole code points only. */
const prefixFitting = (s: string, budget: number): number => {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i) ?? 0;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > budget) break;
    bytes += size;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
};

/** Where to cut a chunk of `end` units: after the last newline or space near its end, if any. */
const breakAt = (s: string, end: number): number => {
  if (end >= s.length) return end;
  const window = s.slice(0, end);
  const at = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
  const near = at > 0 && Buffer.byteLength(window.slice(at + 1), 'utf8') <= PART_BREAK_WINDOW_BYTES;
  return near ? at + 1 : end;
};

/** The chunks for `n` parts, or undefined when the text does not fit n parts. */
const chunksFor = (text: string, n: number): string[] | undefined => {
  const chunks: string[] = [];
  let rest = text;
  for (let k = 1; k <= n; k++) {
    const budget = MAX_PLAINTEXT_BYTES - Buffer.byteLength(marker(k, n), 'utf8');
    const cut = breakAt(rest, prefixFitting(rest, budget));
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut);
    // Done before the n-th part: n is more than it needs (a smaller n was tried first).
    if (rest === '') return k === n ? chunks : undefined;
  }
  return undefined;
};

/**
 * The parts' plaintexts, `(k/n) ` and a chunk, each within one message; undefined when the
 * text would need more than MAX_TEXT_PARTS. A text that fits one message is one part, bare.
 */
export const splitText = (text: string, maxParts = MAX_TEXT_PARTS): string[] | undefined => {
  if (!needsParts(text)) return [text];
  const bytes = Buffer.byteLength(text, 'utf8');
  // The fewest parts that could hold it, then one more at a time if the breaks cost room.
  for (let n = Math.max(2, Math.ceil(bytes / MAX_PLAINTEXT_BYTES)); n <= maxParts; n++) {
    const chunks = chunksFor(text, n);
    if (chunks !== undefined) {
      return chunks.map((c, i) => marker(i + 1, n) + c);
    }
  }
  return undefined;
};

/** Why a text cannot go even as parts (too long), in words; undefined when it can. */
export const whyNotParts = (text: string): string | undefined =>
  splitText(text) === undefined
    ? `the message is ${Buffer.byteLength(text, 'utf8').toLocaleString('en')} bytes, more than ` +
      `${MAX_TEXT_PARTS} parts of ${MAX_PLAINTEXT_BYTES.toLocaleString('en')} bytes can carry; ` +
      'send it as several shorter messages, or as a file by other means'
    : undefined;

/** The message as a part, when its id fits the scheme and its marker agrees; else undefined. */
export const partOf = (msgId: string, text: string): PartOf | undefined => {
  const id = ID_RE.exec(msgId);
  const mark = MARKER_RE.exec(text);
  if (id === null || mark === null) return undefined;
  const k = Number(mark[1]);
  const n = Number(mark[2]);
  if (n < 2 || n > MAX_TEXT_PARTS || k > n || Number.parseInt(id[2]!, 16) !== k) return undefined;
  return { groupId: `${id[1]}00000000`, k, n, chunk: text.slice(mark[0].length) };
};

/** A group's parts so far, by k (1-based); complete when it has all n. */
export type PartSet = ReadonlyMap<number, string>;

/** The whole text once every part is there, in order; else undefined. */
export const joined = (parts: PartSet, n: number): string | undefined => {
  if (parts.size < n) return undefined;
  let text = '';
  for (let k = 1; k <= n; k++) {
    const chunk = parts.get(k);
    if (chunk === undefined) return undefined;
    text += chunk;
  }
  return text;
};

/**
 * A text the console or `parley send` may take: one that fits one message, or one that goes
 * as parts (`node.send` splits it). Typed as a message's text because that is what each
 * part is by the time it reaches a frame.
 */
export const decodeLongText = (value: unknown): E.Either<InputError, MessageText> => {
  if (typeof value !== 'string' || !needsParts(value)) return decodeText(value);
  const why = whyNotParts(value);
  return why === undefined
    ? E.right(value as MessageText)
    : E.left(parleyError('invalid_input', why));
};

/**
 * Edits an attacker can make to a valid transcript, for the actors' property tests: frames
 * reordered, dropped, duplicated, cut short, replaced by others, fields bent; and a frame as
 * an actor hears it once it went over the wire (serialised, decoded or refused again).
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type { Inbound } from '../../src/actors/types.js';
import { decodeLine } from '../../src/codecs/line.js';
import {
  changeField,
  type FieldChange,
  fieldChange,
  type Json,
} from '../hostile/support/arbitraries.js';

/** A frame as the actor hears it: serialised, maybe bent, decoded (or refused) again. */
export const onTheWire = (frame: Json): Inbound => {
  const decoded = decodeLine(JSON.stringify(frame));
  return E.isRight(decoded)
    ? { kind: 'frame', frame: decoded.right }
    : { kind: 'invalid', error: decoded.left };
};

export type Item = { readonly frame: Json } | { readonly inbound: Inbound };
export const toInbound = (item: Item): Inbound =>
  'frame' in item ? onTheWire(item.frame) : item.inbound;

/** One edit of the script. Indices are taken modulo the script's length when applied. */
export type Edit =
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'swap'; readonly i: number; readonly j: number }
  | { readonly op: 'duplicate'; readonly i: number; readonly at: number }
  | { readonly op: 'drop'; readonly i: number }
  | { readonly op: 'change'; readonly i: number; readonly change: FieldChange }
  | { readonly op: 'insert'; readonly at: number; readonly item: Item };

export const INTERRUPTIONS: Inbound[] = [
  { kind: 'end' },
  { kind: 'timeout' },
  { kind: 'invalid', error: { code: 'malformed_frame', message: 'the line is not valid JSON' } },
  { kind: 'frame', frame: { type: 'error', code: 'auth_failed', message: 'no' } },
];

/** One edit, inserting one of `frames` (or an interruption) where it inserts. */
const editOf = (frames: readonly Json[]): fc.Arbitrary<Edit> =>
  fc.oneof(
    fc.record({ op: fc.constant('truncate'), at: fc.nat() }),
    fc.record({ op: fc.constant('swap'), i: fc.nat(), j: fc.nat() }),
    fc.record({ op: fc.constant('duplicate'), i: fc.nat(), at: fc.nat() }),
    fc.record({ op: fc.constant('drop'), i: fc.nat() }),
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constant('change'), i: fc.nat(), change: fieldChange }),
    },
    fc.record({
      op: fc.constant('insert'),
      at: fc.nat(),
      item: fc.oneof(
        fc.constantFrom(...frames).map((frame) => ({ frame })),
        fc.constantFrom(...INTERRUPTIONS).map((inbound) => ({ inbound })),
      ),
    }),
  ) as fc.Arbitrary<Edit>;

export const applyEdit = (script: readonly Item[], e: Edit): Item[] => {
  const s = [...script];
  const n = s.length;
  const pick = (i: number) => (n === 0 ? -1 : i % n);
  switch (e.op) {
    case 'truncate':
      return s.slice(0, e.at % (n + 1));
    case 'swap': {
      const [i, j] = [pick(e.i), pick(e.j)];
      if (i >= 0) [s[i], s[j]] = [s[j]!, s[i]!];
      return s;
    }
    case 'duplicate':
      if (n > 0) s.splice(e.at % (n + 1), 0, s[pick(e.i)]!);
      return s;
    case 'drop':
      if (n > 0) s.splice(pick(e.i), 1);
      return s;
    case 'change': {
      const i = pick(e.i);
      const item = s[i];
      if (item && 'frame' in item) s[i] = { frame: changeField(item.frame, e.change) };
      return s;
    }
    case 'insert':
      s.splice(e.at % (n + 1), 0, e.item);
      return s;
  }
};

/** One to four edits of a script, inserting `frames` where they insert. */
export const editsOf = (frames: readonly Json[]) =>
  fc.array(editOf(frames), { minLength: 1, maxLength: 4 });

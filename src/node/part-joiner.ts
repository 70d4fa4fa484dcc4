/**
 * The receiver's side of long texts (see parts.ts): a fresh part is kept in the history like
 * any message (before its ack), but shown only once every part of its group is there, as the
 * whole text under the group's id. The parts wait in RAM (bounded) and, after a restart, are
 * found again in the history: a group whose last part arrives after a crash is still shown.
 */
import type { ReceivedMessage } from '../actors/types.js';
import { MAX_OPEN_PART_GROUPS } from '../limits.js';
import type { HistoryRecord } from '../store/history-codec.js';
import { joined, type PartOf, partOf } from './parts.js';

/** What a fresh message comes to: shown (itself, or the whole text of its parts), or held. */
export type Taken =
  | { readonly kind: 'show'; readonly message: ReceivedMessage }
  | { readonly kind: 'held'; readonly part: PartOf; readonly have: number };

export interface PartJoiner {
  take(message: ReceivedMessage): Taken;
}

interface OpenGroup {
  readonly parts: Map<number, string>;
  /** The first part's timestamp: the whole text's. */
  timestamp: string;
  /**
   * Found whole in the history (the arriving part kept just before): the part kept last is
   * the one whose showing may have been cut short (a crash), so only its arrival shows it.
   */
  lastKept?: number;
}

const groupKey = (from: string, p: PartOf) => `${p.groupId} ${p.n} ${from}`;

/** Parts of the group found in the history (kept by an earlier run, perhaps). */
const fromHistory = (
  records: readonly HistoryRecord[],
  from: string,
  want: PartOf,
  into: OpenGroup,
) => {
  for (const r of records) {
    if (r.direction !== 'in' || r.contact !== from) continue;
    const p = partOf(r.msgId, r.text);
    if (p === undefined || p.groupId !== want.groupId || p.n !== want.n) continue;
    if (!into.parts.has(p.k)) into.parts.set(p.k, p.chunk);
    if (p.k === 1) into.timestamp = r.timestamp;
    into.lastKept = p.k;
  }
  if (into.parts.size < want.n) into.lastKept = undefined;
};

export const createPartJoiner = (
  records: () => readonly HistoryRecord[] = () => [],
  maxGroups = MAX_OPEN_PART_GROUPS,
): PartJoiner => {
  const open = new Map<string, OpenGroup>();
  const groupFor = (key: string, m: ReceivedMessage, p: PartOf): OpenGroup => {
    const had = open.get(key);
    if (had !== undefined) return had;
    const group: OpenGroup = { parts: new Map(), timestamp: m.timestamp };
    fromHistory(records(), m.from, p, group);
    // Bounded: the oldest waiting group is dropped (its parts stay in the history).
    if (open.size >= maxGroups) open.delete(open.keys().next().value as string);
    open.set(key, group);
    return group;
  };
  return {
    take(m) {
      const p = partOf(m.msgId, m.text);
      if (p === undefined) return { kind: 'show', message: m };
      const key = groupKey(m.from, p);
      const group = groupFor(key, m, p);
      if (!group.parts.has(p.k)) group.parts.set(p.k, p.chunk);
      if (p.k === 1) group.timestamp = m.timestamp;
      const text = joined(group.parts, p.n);
      const waits = group.lastKept !== undefined && group.lastKept !== p.k;
      if (text === undefined || waits) return { kind: 'held', part: p, have: group.parts.size };
      open.delete(key);
      return {
        kind: 'show',
        message: { ...m, text, msgId: p.groupId, timestamp: group.timestamp },
      };
    },
  };
};

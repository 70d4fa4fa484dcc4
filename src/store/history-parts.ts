/**
 * The history as people read it: a long text's parts (kept one by one, see node/parts.ts)
 * listed once, as the whole text under the group's id, where its first part was; a group not
 * complete (its sender gave up, or the rest is on its way) is listed as its parts, markers and
 * all. The file keeps the parts: each was kept before its ack, as any message.
 */
import { joined, type PartOf, partOf } from '../node/parts.js';
import type { HistoryRecord, SentState } from './history-codec.js';

const keyOf = (r: HistoryRecord, p: PartOf) => `${r.direction} ${r.contact} ${p.groupId} ${p.n}`;

/** A sent whole's state: delivered when every part was, given up when one was, else waiting. */
const stateOf = (parts: readonly HistoryRecord[]): SentState | undefined => {
  if (parts[0]?.direction !== 'out') return undefined;
  if (parts.every((r) => r.state === 'delivered')) return 'delivered';
  return parts.some((r) => r.state === 'given_up') ? 'given_up' : 'waiting';
};

interface Group {
  readonly parts: Map<number, string>;
  readonly records: HistoryRecord[];
}

export const joinPartRecords = (records: readonly HistoryRecord[]): HistoryRecord[] => {
  const groups = new Map<string, Group>();
  for (const r of records) {
    const p = partOf(r.msgId, r.text);
    if (p === undefined) continue;
    const g: Group = groups.get(keyOf(r, p)) ?? { parts: new Map(), records: [] };
    if (!g.parts.has(p.k)) {
      g.parts.set(p.k, p.chunk);
      g.records.push(r);
    }
    groups.set(keyOf(r, p), g);
  }
  const out: HistoryRecord[] = [];
  const done = new Set<string>();
  for (const r of records) {
    const p = partOf(r.msgId, r.text);
    if (p === undefined) {
      out.push(r);
      continue;
    }
    const key = keyOf(r, p);
    const g = groups.get(key);
    if (g === undefined) continue;
    const text = joined(g.parts, p.n);
    if (text === undefined) {
      out.push(r);
      continue;
    }
    if (done.has(key)) continue;
    done.add(key);
    const state = stateOf(g.records);
    const first = g.records.find((x) => partOf(x.msgId, x.text)?.k === 1) ?? r;
    const { state: _drop, ...rest } = r;
    out.push({
      ...rest,
      msgId: p.groupId,
      text,
      timestamp: first.timestamp,
      atMs: Math.max(...g.records.map((x) => x.atMs)),
      ...(state === undefined ? {} : { state }),
    });
  }
  return out;
};

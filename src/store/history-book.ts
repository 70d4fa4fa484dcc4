/**
 * The history as it is held in memory, for both adapters (file and memory): each message once,
 * in the order it was first kept (a sent one in its last state), the chat's last mark, and the
 * caps. A received message kept again (a retry after a crash) changes nothing; a sent one
 * changes only when its state does.
 */
import { HISTORY_MAX_BYTES, HISTORY_MAX_MESSAGES } from '../limits.js';
import {
  type ChatMark,
  encodeHistoryLine,
  type HistoryLine,
  type HistoryRecord,
  historyKey,
} from './history-codec.js';

export interface HistoryCaps {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

export const HISTORY_CAPS: HistoryCaps = {
  maxMessages: HISTORY_MAX_MESSAGES,
  maxBytes: HISTORY_MAX_BYTES,
};

export interface HistoryBook {
  /** Takes a line in; false when it changes nothing (kept already, same state). */
  apply(line: HistoryLine): boolean;
  /** Whether keeping this record would change anything (asked before writing it). */
  changes(record: HistoryRecord): boolean;
  records(): readonly HistoryRecord[];
  mark(): ChatMark | undefined;
  /** The bytes its lines take, written afresh. */
  readonly bytes: number;
  readonly size: number;
  /** Drops the oldest until within the caps; how many went. */
  trim(caps: HistoryCaps): number;
  /** Every line, written afresh (the records, the mark after the record it follows). */
  lines(): readonly HistoryLine[];
}

const lineBytes = (line: HistoryLine): number =>
  Buffer.byteLength(encodeHistoryLine(line), 'utf8') + 1;

const sameRecord = (a: HistoryRecord, b: HistoryRecord): boolean =>
  a.state === b.state && a.contact === b.contact && a.text === b.text;

export const createHistoryBook = (): HistoryBook => {
  // A Map keeps insertion order: an update (set on a key it has) keeps the first place.
  const kept = new Map<string, { record: HistoryRecord; bytes: number }>();
  let chatMark: ChatMark | undefined;
  let bytes = 0;
  const changes = (record: HistoryRecord): boolean => {
    const was = kept.get(historyKey(record))?.record;
    return was === undefined || (record.direction === 'out' && !sameRecord(was, record));
  };
  const keep = (record: HistoryRecord): boolean => {
    if (!changes(record)) return false;
    const key = historyKey(record);
    const was = kept.get(key);
    // A sent message's new state keeps its first timestamp.
    const next = was === undefined ? record : { ...record, timestamp: was.record.timestamp };
    const size = lineBytes({ kind: 'message', record: next });
    bytes += size - (was?.bytes ?? 0);
    kept.set(key, { record: next, bytes: size });
    return true;
  };
  return {
    apply(line) {
      if (line.kind === 'message') return keep(line.record);
      chatMark = line.mark;
      return true;
    },
    changes,
    records: () => [...kept.values()].map((k) => k.record),
    mark: () => chatMark,
    get bytes() {
      return bytes + (chatMark === undefined ? 0 : lineBytes({ kind: 'mark', mark: chatMark }));
    },
    get size() {
      return kept.size;
    },
    trim(caps) {
      let dropped = 0;
      for (const [key, k] of kept) {
        if (kept.size <= caps.maxMessages && bytes <= caps.maxBytes) break;
        kept.delete(key);
        bytes -= k.bytes;
        dropped += 1;
      }
      return dropped;
    },
    lines() {
      const out: HistoryLine[] = [];
      const after = chatMark?.afterKey;
      if (chatMark !== undefined && (after === undefined || !kept.has(after)))
        out.push({ kind: 'mark', mark: chatMark });
      for (const [key, k] of kept) {
        out.push({ kind: 'message', record: k.record });
        if (chatMark !== undefined && key === after) out.push({ kind: 'mark', mark: chatMark });
      }
      return out;
    },
  };
};

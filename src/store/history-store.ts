/**
 * The history port: what was said with each contact, kept for a name. The node writes to it
 * (a received message before it is acknowledged, a sent one as its reports come), the chat
 * and `parley history` read it. Its adapters: memory (`memoryHistory`), and the file of a
 * name in its state directory (`history-file.ts`).
 */

import { createHistoryBook, HISTORY_CAPS, type HistoryCaps } from './history-book.js';
import { type ChatMark, type HistoryRecord, historyKey } from './history-codec.js';

export interface HistoryStore {
  /**
   * Keeps a message (a received one once, whatever the retries; a sent one in its new state).
   * Throws when it cannot: a received message is then not acknowledged, and comes again.
   * False when it changed nothing.
   */
  keep(record: HistoryRecord): boolean;
  /** Every message kept, oldest first, each once. */
  records(): readonly HistoryRecord[];
  /** What the chat showed last (none: no chat has been open yet). */
  chatMark(): ChatMark | undefined;
  /** The chat has shown everything received until now (at start, and when it ends). */
  markChatSeen(atMs: number): void;
}

/** The key of the last received message, for a mark. */
export const lastReceivedKey = (records: readonly HistoryRecord[]): string | undefined => {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.direction === 'in') return historyKey(r);
  }
  return undefined;
};

/**
 * The received messages the chat has not shown: after the mark's message, or (that one
 * dropped from the history by now) shown after the mark's time; all of them with no mark.
 */
export const unseenSince = (
  records: readonly HistoryRecord[],
  mark: ChatMark | undefined,
): HistoryRecord[] => {
  const received = records.filter((r) => r.direction === 'in');
  if (mark === undefined) return received;
  const at =
    mark.afterKey === undefined ? -1 : received.findIndex((r) => historyKey(r) === mark.afterKey);
  return at >= 0 ? received.slice(at + 1) : received.filter((r) => r.atMs > mark.atMs);
};

/** The history in RAM: lost when the process ends (a node with no state directory). */
export const memoryHistory = (caps: HistoryCaps = HISTORY_CAPS): HistoryStore => {
  const book = createHistoryBook();
  return {
    keep(record) {
      const changed = book.apply({ kind: 'message', record });
      book.trim(caps);
      return changed;
    },
    records: () => book.records(),
    chatMark: () => book.mark(),
    markChatSeen(atMs) {
      book.apply({ kind: 'mark', mark: { afterKey: lastReceivedKey(book.records()), atMs } });
    },
  };
};

/**
 * The responder's memory of recent `msg_id`s, so that a retry after a lost ack is acknowledged
 * again but shown once. Bounded in time (the contract's 10 minutes) and in size.
 */
import { DEDUPE_WINDOW_MS, DEFAULT_DEDUPE_CAPACITY } from '../limits.js';

export interface DedupeMemory {
  /** Remembers the id; true when it was not seen within the window (deliver it). */
  remember(msgId: string, nowMs: number): boolean;
  readonly size: number;
}

/** The memory in RAM, which can also be asked without remembering (see seen-file.ts). */
export interface RecentIds extends DedupeMemory {
  /** True when the id was seen within the window; remembers nothing. */
  has(msgId: string, nowMs: number): boolean;
}

export const createDedupeMemory = ({
  windowMs = DEDUPE_WINDOW_MS,
  capacity = DEFAULT_DEDUPE_CAPACITY,
} = {}): RecentIds => {
  // A Map iterates in insertion order, so the oldest entries are always first.
  const seenAt = new Map<string, number>();
  const forgetOld = (nowMs: number) => {
    for (const [id, at] of seenAt) {
      if (nowMs - at < windowMs && seenAt.size < capacity) break;
      seenAt.delete(id);
    }
  };
  return {
    remember(msgId, nowMs) {
      forgetOld(nowMs);
      if (seenAt.has(msgId)) return false;
      seenAt.set(msgId, nowMs);
      return true;
    },
    has(msgId, nowMs) {
      const at = seenAt.get(msgId);
      return at !== undefined && nowMs - at < windowMs;
    },
    get size() {
      return seenAt.size;
    },
  };
};

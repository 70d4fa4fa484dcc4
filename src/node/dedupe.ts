/**
 * The responder's memory of recent messages, so that a retry after a lost ack is acknowledged
 * again but shown once. Keyed by (authenticated sender, `msg_id`): the id travels in clear, so
 * keyed by id alone another contact could reuse it and silence a message. Bounded in time
 * (the contract's 10 minutes) and in size.
 */

import type { Effect, Inbound } from '../actors/types.js';
import { DEDUPE_WINDOW_MS, DEFAULT_DEDUPE_CAPACITY } from '../limits.js';

export interface DedupeMemory {
  /**
   * Remembers the key (see `dedupeKey`); true when it was not seen within the window (show
   * it). Throws when it cannot record (a file that cannot be written): nothing is acked then.
   */
  remember(key: string, nowMs: number): boolean;
  readonly size: number;
}

/** The memory's key for a message: its id and its authenticated sender. */
export const dedupeKey = (sender: string, msgId: string): string => `${msgId} ${sender}`;

/** The memory in RAM, which can also be asked without remembering (see seen-file.ts). */
export interface RecentIds extends DedupeMemory {
  /** True when the key was seen within the window; remembers nothing. */
  has(key: string, nowMs: number): boolean;
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
    remember(key, nowMs) {
      forgetOld(nowMs);
      if (seenAt.has(key)) return false;
      seenAt.set(key, nowMs);
      return true;
    },
    has(key, nowMs) {
      const at = seenAt.get(key);
      return at !== undefined && nowMs - at < windowMs;
    },
    get size() {
      return seenAt.size;
    },
  };
};

/**
 * Answers the responder's `remember` effects from a memory, for the driver: `recorded`, or an
 * `internal` error when the memory could not record (so the message is not acknowledged and
 * the sender keeps it).
 */
export const answerFrom =
  (memory: DedupeMemory, onFailure: (err: unknown) => void = () => {}) =>
  <Ev>(effect: Effect<Ev>): Inbound | undefined => {
    if (effect.kind !== 'remember') return undefined;
    try {
      const key = dedupeKey(effect.sender, effect.msgId);
      return { kind: 'recorded', fresh: memory.remember(key, effect.atMs) };
    } catch (err) {
      // The cause (a path, say) is ours to report, not the peer's to read.
      onFailure(err);
      return { kind: 'invalid', error: NOT_RECORDED };
    }
  };

const NOT_RECORDED = {
  code: 'internal',
  message: 'the message could not be recorded; it was not accepted, try again later',
} as const;

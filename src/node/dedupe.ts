/**
 * The responder's memory of recent messages, so that a retry after a lost ack is acknowledged
 * again but shown once. Keyed by (authenticated sender, `msg_id`): the id travels in clear, so
 * keyed by id alone another contact could reuse it and silence a message. Bounded in time
 * (the contract's 10 minutes) and in size.
 */

import { from, Observable, type ObservableInput } from 'rxjs';
import type { Answer } from '../actors/driver.js';
import type { Effect, Inbound, ReceivedMessage } from '../actors/types.js';
import { whyOf } from '../errors.js';
import { DEDUPE_WINDOW_MS, DEFAULT_DEDUPE_CAPACITY } from '../limits.js';

export interface DedupeMemory {
  /**
   * Remembers the key (see `dedupeKey`); true when it was not seen within the window (show
   * it). Throws when it cannot record (a file that cannot be written): nothing is acked then.
   */
  remember(key: string, nowMs: number): boolean;
  /** True when the key was seen within the window; remembers nothing (asked before showing). */
  has(key: string, nowMs: number): boolean;
  readonly size: number;
}

/** The memory's key for a message: its id and its authenticated sender. */
export const dedupeKey = (sender: string, msgId: string): string => `${msgId} ${sender}`;

export const createDedupeMemory = ({
  windowMs = DEDUPE_WINDOW_MS,
  capacity = DEFAULT_DEDUPE_CAPACITY,
} = {}): DedupeMemory => {
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
 * Where a verified, fresh message goes: the person or program reading it (stdout, a terminal,
 * a library's handler). It succeeds when what it returns completes (a Promise resolves, an
 * Observable completes; returning nothing: at once) and fails when that errs or it throws.
 * Only then is the id recorded and the message acknowledged: the ack follows what the reader
 * got. One small port, so that it can move behind the node's store.
 */
export type DeliverySink = (
  message: ReceivedMessage,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing (`void`) is done at once
) => ObservableInput<unknown> | void;

export interface AnswerOptions {
  /**
   * Kept before anything else (the history, through the store port): a fresh message is
   * written there before it is shown, recorded and acked; a retry kept already is not kept
   * again. When it throws, the message is not accepted (not acked: it comes again).
   */
  readonly keep?: (message: ReceivedMessage) => void;
  /** Where a fresh message goes first; none: the `received` event is its delivery. */
  readonly deliver?: DeliverySink;
  /** Told why a message was not accepted: the cause (a path, say) is ours, not the peer's. */
  readonly onFailure?: (err: unknown) => void;
}

/**
 * Answers the responder's `deliver` effects, for the driver: a message seen before is
 * `recorded {fresh: false}` at once; a fresh one goes to the sink, and only once the sink
 * succeeded is its id recorded and `recorded {fresh: true}` answered. A sink or memory that
 * fails answers an `internal` error instead: nothing is acknowledged, the sender keeps the
 * message and tries again. A crash between the sink and the record can show a retry twice;
 * never none. (A record that fails after the sink succeeded is not acked either; the retry
 * is then only recorded, not shown again, while this process runs.)
 */
export function answerFrom(
  memory: DedupeMemory,
  options?: Omit<AnswerOptions, 'deliver'>,
): <Ev>(effect: Effect<Ev>) => Inbound | undefined;
export function answerFrom(
  memory: DedupeMemory,
  options: AnswerOptions,
): <Ev>(effect: Effect<Ev>) => Answer;
export function answerFrom(
  memory: DedupeMemory,
  { keep, deliver, onFailure = () => {} }: AnswerOptions = {},
) {
  /** Keys being handed to the sink: the same message on a second connection is refused. */
  const handing = new Set<string>();
  /**
   * Shown, but the id could not be recorded (so not acked): its retry is not shown again,
   * only recorded, then acked as a duplicate. In RAM, bounded as the memory is.
   */
  const shownOnly = createDedupeMemory();
  const record = (key: string, atMs: number): Inbound => {
    const shownBefore = shownOnly.has(key, atMs);
    try {
      return { kind: 'recorded', fresh: memory.remember(key, atMs) && !shownBefore };
    } catch (err) {
      onFailure(err);
      return { kind: 'invalid', error: NOT_RECORDED };
    }
  };
  const recordShown = (key: string, atMs: number): Inbound => {
    const answer = record(key, atMs);
    if (answer.kind === 'invalid') shownOnly.remember(key, atMs);
    return answer;
  };
  const notDelivered = (effect: DeliverEffect, err: unknown): Inbound => {
    onFailure(new Error(undeliveredText(effect, err)));
    return { kind: 'invalid', error: NOT_DELIVERED };
  };
  return <Ev>(effect: Effect<Ev>): Answer => {
    if (effect.kind !== 'deliver') return undefined;
    const key = dedupeKey(effect.sender, effect.msgId);
    if (memory.has(key, effect.atMs)) return SEEN_BEFORE;
    if (keep !== undefined) {
      try {
        keep(effect.message);
      } catch (err) {
        onFailure(err);
        return { kind: 'invalid', error: NOT_KEPT };
      }
    }
    if (deliver === undefined || shownOnly.has(key, effect.atMs)) return record(key, effect.atMs);
    const after = { handing, record: () => recordShown(key, effect.atMs), notDelivered };
    return handOver(effect, deliver, key, after);
  };
}

interface HandOverContext {
  readonly handing: Set<string>;
  /** Records the id: the answer once the sink succeeded. */
  readonly record: () => Inbound;
  readonly notDelivered: (effect: DeliverEffect, err: unknown) => Inbound;
}

/**
 * The sink's work as the answer the driver waits for: subscribed when the responder asks,
 * one input when the sink has succeeded (then recorded) or failed; unsubscribed with the actor
 * (a deadline passed, the peer left): then nothing is recorded and nothing acknowledged.
 */
const handOver = (
  effect: DeliverEffect,
  sink: DeliverySink,
  key: string,
  { handing, record, notDelivered }: HandOverContext,
) =>
  new Observable<Inbound>((subscriber) => {
    if (handing.has(key)) {
      subscriber.next({ kind: 'invalid', error: IN_HAND });
      return;
    }
    handing.add(key);
    let settled = false;
    const answer = (input: () => Inbound) => {
      settled = true;
      handing.delete(key);
      subscriber.next(input());
    };
    let confirmation: ObservableInput<unknown> | undefined;
    try {
      confirmation = sink(effect.message) ?? undefined;
    } catch (err) {
      answer(() => notDelivered(effect, err));
      return;
    }
    if (confirmation === undefined) {
      answer(record);
      return;
    }
    const confirmed = from(confirmation).subscribe({
      error: (err: unknown) => answer(() => notDelivered(effect, err)),
      complete: () => answer(record),
    });
    return () => {
      confirmed.unsubscribe();
      if (!settled) handing.delete(key);
    };
  });

type DeliverEffect = Extract<Effect<unknown>, { kind: 'deliver' }>;

const undeliveredText = (effect: DeliverEffect, err: unknown) =>
  `a message from ${effect.sender} (msg_id ${effect.msgId}) could not be handed over ` +
  `(${whyOf(err)}); it was not acknowledged, so its ` +
  'sender keeps it and tries again';

const SEEN_BEFORE: Inbound = { kind: 'recorded', fresh: false };

const NOT_RECORDED = {
  code: 'internal',
  message: 'the message could not be recorded; it was not accepted, try again later',
} as const;

const NOT_KEPT = {
  code: 'internal',
  message: 'the message could not be kept here; it was not accepted, try again later',
} as const;

const NOT_DELIVERED = {
  code: 'internal',
  message: 'the message could not be shown here; it was not accepted, try again later',
} as const;

const IN_HAND = {
  code: 'internal',
  message: 'the same message is being shown here already; try again later',
} as const;

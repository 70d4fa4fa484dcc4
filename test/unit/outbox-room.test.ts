/**
 * The outbox's room, one rule for the node's new messages, the messages handed in to it and
 * `send --queue`: a message fits while the messages and their bytes stay within the caps.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_DIRECTORY } from '../../src/codecs/directory.js';
import {
  initialNodeState,
  type OutboxEntry,
  outboxOverflow,
  roomFor,
} from '../../src/node/state.js';

const caps = { maxMessages: 3, maxBytes: 10 };

describe('outboxOverflow', () => {
  it('says which cap one more message would pass, the count first', () => {
    expect(outboxOverflow({ count: 2, bytes: 0 }, 'x'.repeat(10), caps)).toBeUndefined();
    expect(outboxOverflow({ count: 3, bytes: 0 }, 'x', caps)).toBe('messages');
    expect(outboxOverflow({ count: 3, bytes: 10 }, 'x', caps)).toBe('messages');
    expect(outboxOverflow({ count: 0, bytes: 9 }, 'xx', caps)).toBe('bytes');
    // UTF-8 bytes, not characters: 'é' is two.
    expect(outboxOverflow({ count: 0, bytes: 9 }, 'é', caps)).toBe('bytes');
  });
});

describe('roomFor', () => {
  const entry = (text: string) => ({ job: { text } }) as unknown as OutboxEntry;
  const empty = initialNodeState(EMPTY_DIRECTORY);

  it('counts the entries that fit, in order, stopping at the first that does not', () => {
    expect(roomFor(empty, [entry('a'), entry('b'), entry('c'), entry('d')], caps)).toBe(3);
    expect(roomFor(empty, [entry('x'.repeat(6)), entry('x'.repeat(5)), entry('a')], caps)).toBe(1);
    expect(roomFor({ ...empty, outbox: [entry('x'.repeat(10))] }, [entry('a')], caps)).toBe(0);
  });
});

/**
 * Long texts as parts: the split (whole code points, breaks near a part's end, the cap) and
 * the join (any order, duplicates, groups apart, a typed "(1/2)" under a random id shown at
 * once), and the history listing a whole once.
 */
import { describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../src/actors/types.js';
import { MAX_PLAINTEXT_BYTES } from '../../src/limits.js';
import { createPartJoiner } from '../../src/node/part-joiner.js';
import { groupIdOf, partMsgId, partOf, splitText, whyNotParts } from '../../src/node/parts.js';
import type { HistoryRecord } from '../../src/store/history-codec.js';
import { joinPartRecords } from '../../src/store/history-parts.js';

const GROUP = groupIdOf('3f2c8a1e-5b7d-4c9e-8a6f-1d2e3c4b5a69');
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const chunkOf = (part: string) => part.replace(/^\(\d+\/\d+\) /, '');

describe('splitText', () => {
  it('leaves a text that fits one message alone', () => {
    expect(splitText('hi')).toEqual(['hi']);
    expect(splitText('a'.repeat(MAX_PLAINTEXT_BYTES))).toHaveLength(1);
  });

  it('splits a long text into marked parts that fit and join back', () => {
    const text = 'word '.repeat(40_000); // 200,000 bytes
    const parts = splitText(text)!;
    expect(parts).toHaveLength(4);
    parts.forEach((p, i) => {
      expect(p.startsWith(`(${i + 1}/4) `)).toBe(true);
      expect(bytes(p)).toBeLessThanOrEqual(MAX_PLAINTEXT_BYTES);
    });
    expect(parts.map(chunkOf).join('')).toBe(text);
    // Broken after a space, not inside a word.
    for (const p of parts.slice(0, -1)) expect(p.endsWith(' ')).toBe(true);
  });

  it('never cuts inside a character (4-byte emoji, 3-byte CJK)', () => {
    for (const ch of ['😀', '語']) {
      const text = ch.repeat(Math.ceil((2.5 * MAX_PLAINTEXT_BYTES) / bytes(ch)));
      const parts = splitText(text)!;
      expect(parts.length).toBeGreaterThanOrEqual(3);
      for (const p of parts) {
        expect(bytes(p)).toBeLessThanOrEqual(MAX_PLAINTEXT_BYTES);
        expect(chunkOf(p)).not.toContain('\uFFFD');
        expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
        expect([...chunkOf(p)].every((c) => c === ch)).toBe(true);
      }
      expect(parts.map(chunkOf).join('')).toBe(text);
    }
  });

  it('cuts at the byte limit when there is no space near the end', () => {
    const text = 'x'.repeat(MAX_PLAINTEXT_BYTES + 10);
    const parts = splitText(text)!;
    expect(parts.map(bytes)).toEqual([MAX_PLAINTEXT_BYTES, 10 + 6 + 6]);
  });

  it('refuses a text over the cap of parts, with a sentence', () => {
    expect(splitText('y'.repeat(3 * MAX_PLAINTEXT_BYTES), 2)).toBeUndefined();
    const huge = 'z'.repeat(65 * MAX_PLAINTEXT_BYTES);
    expect(splitText(huge)).toBeUndefined();
    expect(whyNotParts(huge)).toMatch(/more than 64 parts/);
  });
});

describe('partOf: the id and the marker must agree', () => {
  it('reads a part whose id fits', () => {
    expect(partOf(partMsgId(GROUP, 2), '(2/3) abc')).toEqual({
      groupId: GROUP,
      k: 2,
      n: 3,
      chunk: 'abc',
    });
  });
  it('a typed "(1/2)" under a random id is an ordinary message', () => {
    expect(partOf('3f2c8a1e-5b7d-4c9e-8a6f-1d2e3c4b5a69', '(1/2) hi')).toBeUndefined();
    expect(partOf(partMsgId(GROUP, 1), '(2/2) hi')).toBeUndefined();
    expect(partOf(partMsgId(GROUP, 3), '(3/2) hi')).toBeUndefined();
    expect(partOf(partMsgId(GROUP, 1), '(1/1) hi')).toBeUndefined();
    expect(partOf(partMsgId(GROUP, 1), 'hi')).toBeUndefined();
  });
});

const received = (msgId: string, text: string, from = 'alice'): ReceivedMessage => ({
  from,
  to: 'bob',
  text,
  msgId,
  timestamp: '2026-12-02T20:00:00.000Z',
  clockSkewMs: 0,
});

describe('the part joiner', () => {
  it('holds parts in any order and shows the whole once, under the group id', () => {
    const j = createPartJoiner();
    expect(j.take(received(partMsgId(GROUP, 3), '(3/3) c')).kind).toBe('held');
    expect(j.take(received(partMsgId(GROUP, 1), '(1/3) a'))).toMatchObject({
      kind: 'held',
      have: 2,
    });
    // A duplicate changes nothing.
    expect(j.take(received(partMsgId(GROUP, 1), '(1/3) a'))).toMatchObject({
      kind: 'held',
      have: 2,
    });
    const whole = j.take(received(partMsgId(GROUP, 2), '(2/3) b'));
    expect(whole).toEqual({ kind: 'show', message: received(GROUP, 'abc') });
  });

  it('keeps groups apart: by id, by n, by sender', () => {
    const other = groupIdOf('0a0b0c0d-1111-4222-8333-444455556666');
    const j = createPartJoiner();
    expect(j.take(received(partMsgId(GROUP, 1), '(1/2) a')).kind).toBe('held');
    expect(j.take(received(partMsgId(other, 2), '(2/2) X')).kind).toBe('held');
    expect(j.take(received(partMsgId(GROUP, 2), '(2/2) b', 'carol')).kind).toBe('held');
    expect(j.take(received(partMsgId(GROUP, 2), '(2/2) b'))).toMatchObject({
      kind: 'show',
      message: { text: 'ab', from: 'alice' },
    });
  });

  it('shows a forged "(1/2)" with a random id at once', () => {
    const m = received('3f2c8a1e-5b7d-4c9e-8a6f-1d2e3c4b5a69', '(1/2) hello');
    expect(createPartJoiner().take(m)).toEqual({ kind: 'show', message: m });
  });

  it('finds the parts a run before kept in the history', () => {
    const kept: HistoryRecord[] = [
      {
        msgId: partMsgId(GROUP, 1),
        direction: 'in',
        contact: 'alice',
        text: '(1/2) a',
        timestamp: 't1',
        atMs: 1,
      },
    ];
    const j = createPartJoiner(() => kept);
    expect(j.take(received(partMsgId(GROUP, 2), '(2/2) b'))).toMatchObject({
      kind: 'show',
      message: { text: 'ab', msgId: GROUP, timestamp: 't1' },
    });
  });
});

describe('joinPartRecords: the history lists a whole once', () => {
  const rec = (
    msgId: string,
    text: string,
    atMs: number,
    extra: Partial<HistoryRecord> = {},
  ): HistoryRecord => ({
    msgId,
    direction: 'in',
    contact: 'alice',
    text,
    timestamp: `t${atMs}`,
    atMs,
    ...extra,
  });
  it('joins a complete group where its first part was; leaves an incomplete one as parts', () => {
    const other = groupIdOf('0a0b0c0d-1111-4222-8333-444455556666');
    const records = [
      rec('11111111-1111-4111-8111-111111111111', 'before', 1),
      rec(partMsgId(GROUP, 1), '(1/2) a', 2),
      rec(partMsgId(other, 1), '(1/3) x', 3),
      rec(partMsgId(GROUP, 2), '(2/2) b', 4),
    ];
    expect(joinPartRecords(records).map((r) => [r.msgId, r.text, r.atMs])).toEqual([
      ['11111111-1111-4111-8111-111111111111', 'before', 1],
      [GROUP, 'ab', 4],
      [partMsgId(other, 1), '(1/3) x', 3],
    ]);
  });
  it("a sent whole is delivered when every part is, else the worst part's state", () => {
    const out = { direction: 'out' as const, state: 'delivered' as const };
    const both = [
      rec(partMsgId(GROUP, 1), '(1/2) a', 1, out),
      rec(partMsgId(GROUP, 2), '(2/2) b', 2, out),
    ];
    expect(joinPartRecords(both)).toEqual([
      { ...both[1], msgId: GROUP, text: 'ab', timestamp: 't1' },
    ]);
    const waiting = [both[0]!, { ...both[1]!, state: 'waiting' as const }];
    expect(joinPartRecords(waiting)[0]?.state).toBe('waiting');
  });
});

describe('the part joiner after a restart', () => {
  const kept = (k: number, atMs: number): HistoryRecord => ({
    msgId: partMsgId(GROUP, k),
    direction: 'in',
    contact: 'alice',
    text: `(${k}/2) ${k === 1 ? 'a' : 'b'}`,
    timestamp: `t${k}`,
    atMs,
  });
  it('a group whole in the history is shown on its last kept part only', () => {
    const j = createPartJoiner(() => [kept(1, 1), kept(2, 2)]);
    expect(j.take(received(partMsgId(GROUP, 1), '(1/2) a')).kind).toBe('held');
    expect(j.take(received(partMsgId(GROUP, 2), '(2/2) b'))).toMatchObject({
      kind: 'show',
      message: { text: 'ab' },
    });
  });
});

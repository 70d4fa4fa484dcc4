import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { firstValueFrom, isObservable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Effect } from '../../src/actors/types.js';
import { mint, Username } from '../../src/codecs/formats.js';
import { answerFrom, createDedupeMemory } from '../../src/node/dedupe.js';
import {
  decodeHistoryLine,
  encodeHistoryLine,
  type HistoryRecord,
} from '../../src/store/history-codec.js';
import { createHistoryFile, readHistoryFile } from '../../src/store/history-file.js';
import { memoryHistory, unseenSince } from '../../src/store/history-store.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-history-'));
  dirs.push(dir);
  return join(dir, 'history-bob');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const received = (n: number, from = 'alice', text = `hello ${n}`): HistoryRecord => ({
  msgId: id(n),
  direction: 'in',
  contact: from,
  text,
  timestamp: '2026-12-02T10:00:00.000Z',
  atMs: Date.parse('2026-12-02T10:00:01.000Z') + n,
});
const sent = (n: number, state: HistoryRecord['state']): HistoryRecord => ({
  ...received(n, 'alice', `to alice ${n}`),
  direction: 'out',
  state,
});

it('writes a record as one line of snake_case JSON and reads it back the same', () => {
  const line = encodeHistoryLine({ kind: 'message', record: sent(1, 'delivered') });
  expect(JSON.parse(line)).toEqual({
    msg_id: id(1),
    direction: 'out',
    contact: 'alice',
    text: 'to alice 1',
    timestamp: '2026-12-02T10:00:00.000Z',
    at: '2026-12-02T10:00:01.001Z',
    state: 'delivered',
  });
  expect(decodeHistoryLine(line, 'f')).toEqual(
    E.right({ kind: 'message', record: sent(1, 'delivered') }),
  );
});

it('says which file, line and field cannot be read', () => {
  const path = tempFile();
  writeFileSync(
    path,
    `${encodeHistoryLine({ kind: 'message', record: received(1) })}\n{"msg_id":"x"}\n`,
  );
  const read = readHistoryFile(path);
  expect(E.isLeft(read) && read.left.code).toBe('invalid_history');
  expect(E.isLeft(read) && read.left.message).toBe(
    `${path}, line 2: field 'msg_id': expected a lowercase UUID (8-4-4-4-12 hex), got "x"`,
  );
  writeFileSync(path, 'not json\n');
  const bad = readHistoryFile(path);
  expect(E.isLeft(bad) && bad.left.message).toBe(`${path}, line 1 is not JSON`);
});

it('keeps a received message once, whatever the retries, across a restart; 0600', () => {
  const path = tempFile();
  const first = createHistoryFile(path).store;
  expect(first.keep(received(1))).toBe(true);
  expect(first.keep(received(1))).toBe(false);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const again = createHistoryFile(path).store;
  expect(again.keep({ ...received(1), atMs: 5 })).toBe(false);
  expect(again.records()).toEqual([received(1)]);
  expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
});

it('keeps a sent message in its last state, in the place it was first kept', () => {
  const path = tempFile();
  const store = createHistoryFile(path).store;
  store.keep(sent(1, 'waiting'));
  store.keep(received(2));
  expect(store.keep(sent(1, 'waiting'))).toBe(false);
  store.keep({ ...sent(1, 'delivered'), timestamp: '2026-12-02T11:00:00.000Z' });
  const back = createHistoryFile(path).store.records();
  expect(back.map((r) => [r.msgId, r.state])).toEqual([
    [id(1), 'delivered'],
    [id(2), undefined],
  ]);
  // The sender's timestamp is the first one's (when it was written), not the report's.
  expect(back[0]?.timestamp).toBe('2026-12-02T10:00:00.000Z');
});

it('drops the oldest messages at compaction past the cap, and says so', () => {
  const path = tempFile();
  const said: string[] = [];
  const caps = { maxMessages: 10, maxBytes: 1_000_000 };
  const store = createHistoryFile(path, { caps, onWarning: (t) => said.push(t) }).store;
  for (let n = 1; n <= 11; n++) store.keep(received(n));
  expect(said).toEqual([]); // within the slack: no compaction at each message
  store.keep(received(12));
  expect(said).toEqual([
    `${path}: the 2 oldest messages were dropped from the history, which keeps at most 10 messages and 1000000 bytes`,
  ]);
  const back = createHistoryFile(path, { caps }).store.records();
  expect(back.map((r) => r.msgId)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(id));
});

it('a file over its cap at start is compacted then, and it is said', () => {
  const path = tempFile();
  const big = createHistoryFile(path).store;
  for (let n = 1; n <= 5; n++) big.keep(received(n));
  const opened = createHistoryFile(path, { caps: { maxMessages: 3, maxBytes: 1_000_000 } });
  expect(opened.warnings).toEqual([
    `${path}: the 2 oldest messages were dropped from the history, which keeps at most 3 messages and 1000000 bytes`,
  ]);
  expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
});

it('moves an unreadable file aside, says so, and starts empty', () => {
  const path = tempFile();
  writeFileSync(path, '{"what": 1}\n', { mode: 0o600 });
  const opened = createHistoryFile(path, { nowMs: 42 });
  expect(opened.warnings).toHaveLength(1);
  expect(opened.warnings[0]).toMatch(
    new RegExp(
      `^${path}, line 1: .*; moved to ${path}\\.unreadable-42, starting with an empty history$`,
    ),
  );
  expect(readFileSync(`${path}.unreadable-42`, 'utf8')).toBe('{"what": 1}\n');
  expect(opened.store.records()).toEqual([]);
  opened.store.keep(received(1));
  expect(createHistoryFile(path).store.records()).toEqual([received(1)]);
});

it('leaves out a last line cut short by a crash, and goes on from a clean file', () => {
  const path = tempFile();
  createHistoryFile(path).store.keep(received(1));
  appendFileSync(path, '{"msg_id":"00000000-0000-4000');
  const opened = createHistoryFile(path);
  expect(opened.warnings).toEqual([]);
  opened.store.keep(received(2));
  expect(createHistoryFile(path).store.records()).toEqual([received(1), received(2)]);
  expect(readdirSync(join(path, '..')).filter((f) => f.includes('unreadable'))).toEqual([]);
});

it('a write that fails throws (the message is then not acked), and keeps nothing', () => {
  const path = tempFile();
  const store = createHistoryFile(path).store;
  rmSync(join(path, '..'), { recursive: true, force: true });
  expect(() => store.keep(received(1))).toThrow(/cannot keep a message in the history/);
  expect(store.records()).toEqual([]);
  expect(existsSync(path)).toBe(false);
});

it('the chat mark: what arrived after it is unseen, across a restart and a compaction', () => {
  const path = tempFile();
  const store = createHistoryFile(path).store;
  store.keep(received(1));
  store.markChatSeen(1_000);
  store.keep(received(2, 'bob'));
  store.keep(sent(3, 'waiting'));
  store.keep(received(4));
  const back = createHistoryFile(path).store;
  expect(unseenSince(back.records(), back.chatMark()).map((r) => r.msgId)).toEqual([id(2), id(4)]);
  // No mark yet (no chat was ever open): everything received is unseen.
  const memory = memoryHistory();
  memory.keep(received(1));
  expect(unseenSince(memory.records(), memory.chatMark())).toHaveLength(1);
  memory.markChatSeen(1);
  expect(unseenSince(memory.records(), memory.chatMark())).toEqual([]);
});

it('the memory adapter keeps once and caps as the file does', () => {
  const memory = memoryHistory({ maxMessages: 2, maxBytes: 1_000_000 });
  for (const n of [1, 1, 2, 3]) memory.keep(received(n));
  expect(memory.records().map((r) => r.msgId)).toEqual([id(2), id(3)]);
});

describe('answerFrom keeps the message first', () => {
  const message = {
    from: 'alice',
    to: 'bob',
    text: 'hi',
    msgId: id(9),
    timestamp: '2026-01-01T00:00:00.000Z',
    clockSkewMs: 0,
  };
  const effect: Effect<never> = {
    kind: 'deliver',
    sender: mint(Username, 'alice'),
    msgId: id(9),
    atMs: 1,
    message,
  };
  const answered = async (answer: ReturnType<typeof answerFrom>) => {
    const reply = answer(effect);
    return isObservable(reply) ? firstValueFrom(reply) : reply;
  };

  it('in the history before the sink shows it, and before the id is recorded', async () => {
    const history = memoryHistory();
    const memory = createDedupeMemory();
    const order: string[] = [];
    const keep = (m: typeof message) => {
      order.push(`keep ${memory.size}`);
      history.keep({ ...received(9), contact: m.from });
    };
    const deliver = () => {
      order.push(`show ${history.records().length}`);
    };
    expect(await answered(answerFrom(memory, { keep, deliver }))).toEqual({
      kind: 'recorded',
      fresh: true,
    });
    expect(order).toEqual(['keep 0', 'show 1']);
  });

  it('a history that cannot be written: not shown, not recorded, not acked (it comes again)', async () => {
    const memory = createDedupeMemory();
    const told: unknown[] = [];
    const shown: unknown[] = [];
    const keep = () => {
      throw new Error('cannot keep a message in the history /x (ENOSPC)');
    };
    for (const deliver of [() => void shown.push(1), undefined]) {
      const reply = await answered(
        answerFrom(memory, {
          keep,
          onFailure: (e) => told.push(e),
          ...(deliver ? { deliver } : {}),
        }),
      );
      expect(reply).toMatchObject({ kind: 'invalid', error: { code: 'internal' } });
    }
    expect(shown).toEqual([]);
    expect(memory.size).toBe(0);
    expect(told).toHaveLength(2);
  });
});

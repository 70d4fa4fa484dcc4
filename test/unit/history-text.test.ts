/**
 * The history in words: the chat's start screen, /history and /find (parsed by the flow,
 * answered from records), and `parley history`'s options.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import {
  dateTime,
  findText,
  formatHistoryLine,
  historyText,
  startScreen,
} from '../../src/cli/history-text.js';
import { initialState, step, type View } from '../../src/console/flow.js';
import type { HistoryRecord } from '../../src/store/history-codec.js';
import { selectHistory } from '../../src/store/history-read.js';
import { memoryHistory } from '../../src/store/history-store.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const at = (n: number) => Date.parse('2026-12-02T10:00:00Z') + n * 60_000;
const msg = (n: number, contact: string, direction: 'in' | 'out' = 'in'): HistoryRecord => ({
  msgId: id(n),
  direction,
  contact,
  text: `${direction === 'in' ? 'from' : 'to'} ${contact} ${n}`,
  timestamp: new Date(at(n)).toISOString(),
  atMs: at(n),
  ...(direction === 'out' ? { state: 'delivered' as const } : {}),
});

describe('the start screen', () => {
  it('the last lines of each conversation, the latest contact first; then what is new, apart', () => {
    const history = memoryHistory();
    for (const r of [msg(1, 'carol'), msg(2, 'bob'), msg(3, 'bob', 'out'), msg(4, 'bob')])
      history.keep(r);
    history.markChatSeen(at(5));
    // Received by a `listen` of this name while no chat was open.
    history.keep(msg(6, 'alice'));
    history.keep(msg(7, 'alice'));
    expect(startScreen(history.records(), history.chatMark())).toEqual([
      'Earlier (/history NAME shows more):',
      `  [${dateTime(at(2))}] bob: from bob 2`,
      `  [${dateTime(at(3))}] you → bob: to bob 3 ✓`,
      `  [${dateTime(at(4))}] bob: from bob 4`,
      `  [${dateTime(at(1))}] carol: from carol 1`,
      '2 new messages from alice:',
      `  [${dateTime(at(6))}] alice: from alice 6`,
      `  [${dateTime(at(7))}] alice: from alice 7`,
    ]);
  });

  it('says nothing with no history', () => {
    expect(startScreen([], undefined)).toEqual([]);
  });

  it('a few lines per contact only', () => {
    const rs = [1, 2, 3, 4, 5].map((n) => msg(n, 'bob'));
    const lines = startScreen(rs, { afterKey: `in ${id(5)} bob`, atMs: at(5) });
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)).toContain('from bob 5');
  });
});

describe('/history and /find', () => {
  const view: View = {
    self: 'alice',
    contacts: [],
    outbox: [],
    sending: 0,
    durable: true,
    nowMs: 0,
  };
  const outputs = (line: string) =>
    step(initialState, { kind: 'line', text: line }, view)[1].filter((o) => o.kind !== 'ask');

  it('parses a name, a count, both, or neither', () => {
    expect(outputs('/history')).toEqual([{ kind: 'history' }]);
    expect(outputs('/history bob')).toEqual([{ kind: 'history', contact: 'bob' }]);
    expect(outputs('/history bob 50')).toEqual([{ kind: 'history', contact: 'bob', count: 50 }]);
    expect(outputs('/history 5')).toEqual([{ kind: 'history', count: 5 }]);
    expect(outputs('/history bob x')).toEqual([
      {
        kind: 'show',
        text: 'which history? /history, /history NAME, /history NAME 50, /history 50',
      },
    ]);
    expect(outputs('/find hello  there')).toEqual([{ kind: 'find', words: ['hello', 'there'] }]);
    expect(outputs('/find')).toEqual([
      { kind: 'show', text: 'find what? /find WORDS shows the messages that hold them' },
    ]);
  });

  it('answers from the records', () => {
    const rs = [msg(1, 'bob'), msg(2, 'carol'), msg(3, 'bob', 'out'), msg(4, 'bob')];
    expect(historyText(rs, 'bob', 2)).toBe(
      [
        'the last 2 of 3 messages (/history bob N shows more):',
        formatHistoryLine(rs[2]!),
        formatHistoryLine(rs[3]!),
      ].join('\n'),
    );
    expect(historyText(rs, 'dave')).toBe('no history with dave yet');
    expect(findText(rs, ['BOB', '4'])).toBe(
      ['1 message holds BOB 4:', formatHistoryLine(rs[3]!)].join('\n'),
    );
    expect(findText(rs, ['nothing'])).toBe('nothing in the history holds nothing');
  });
});

describe('parley history', () => {
  it('takes --name, --with, --since and --json', () => {
    expect(
      parseCommandLine([
        'history',
        '--name',
        'bob',
        '--with',
        'alice',
        '--since',
        '2026-12-02',
        '--json',
      ]),
    ).toEqual(
      E.right({
        command: 'history',
        name: 'bob',
        with: 'alice',
        sinceMs: Date.parse('2026-12-02'),
        json: true,
      }),
    );
    const bad = parseCommandLine(['history', '--name', 'bob', '--since', 'yesterday']);
    expect(E.isLeft(bad) && bad.left.message).toBe(
      "--since 'yesterday' is not a time: use ISO 8601, as 2026-12-02 or 2026-12-02T10:00:00Z",
    );
    const none = parseCommandLine(['history']);
    expect(E.isLeft(none) && none.left.message).toBe('--name is required');
  });

  it('selects by contact and time', () => {
    const rs = [msg(1, 'bob'), msg(2, 'carol'), msg(3, 'bob')];
    expect(selectHistory(rs, { with: 'bob', sinceMs: at(2) })).toEqual([rs[2]]);
  });
});

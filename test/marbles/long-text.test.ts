/**
 * A long text over the memory transport in virtual time: alice sends a 200 KB text as its
 * parts (one job each, as `node.send` makes them); bob is shown it once, whole, under the
 * group's id, keeps each part in his history and lists the whole once, even when the last
 * part's first hand-over fails (no ack: alice sends it again) or bob starts afresh.
 */
import * as E from 'fp-ts/lib/Either.js';
import { filter, type Observable, takeUntil, tap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../src/actors/types.js';
import { type Job, messageJob } from '../../src/node/jobs.js';
import { groupIdOf, partMsgId, splitText } from '../../src/node/parts.js';
import { type ParleyOutput, parley$ } from '../../src/node/pipeline.js';
import type { NodeEvent } from '../../src/node/types.js';
import { joinPartRecords } from '../../src/store/history-parts.js';
import { type HistoryStore, memoryHistory } from '../../src/store/history-store.js';
import { memoryStore } from '../../src/store/memory.js';
import { marbles } from '../support/marbles.js';
import { BOB, BOB_PORT, memoryPair, SECRET } from '../support/memory-nodes.js';

const GROUP = groupIdOf('3f2c8a1e-5b7d-4c9e-8a6f-1d2e3c4b5a69');
const TEXT = 'a long line of text, over and over; '.repeat(5_600); // ~200 KB
const RETRY = { retry: { firstMs: 1_000, maxMs: 8_000 }, inOrder: true };

/** The jobs node.send makes of a long text: one per part, in order. */
const partJobs = (): Job[] =>
  (splitText(TEXT) ?? []).map((text, i) => {
    const made = messageJob(
      i + 1,
      { to: { username: 'bob', host: BOB, port: BOB_PORT, secret: SECRET }, text },
      { group: 'x25519', newMsgId: () => partMsgId(GROUP, i + 1) },
    );
    if (E.isLeft(made)) throw new Error(made.left.message);
    return made.right;
  });

interface Run {
  readonly shown: ReceivedMessage[];
  readonly events: NodeEvent[];
}

/** alice sends the parts at 10 ms; bob (with `history`, and a sink that fails `failFirst` times) listens for 20 s. */
const run = (
  bobHistory: HistoryStore,
  aliceHistory: HistoryStore,
  failFirst = 0,
  withSink = true,
): Run => {
  const shown: ReceivedMessage[] = [];
  const events: NodeEvent[] = [];
  let fails = failFirst;
  marbles((scheduler, { cold }) => {
    const { alice, bob } = memoryPair(
      scheduler,
      { ...RETRY, ports: { store: memoryStore({ history: aliceHistory }) } },
      {
        ports: { store: memoryStore({ history: bobHistory }) },
        ...(withSink
          ? {
              deliver: (m: ReceivedMessage) => {
                if (fails-- > 0) throw new Error('the screen is gone');
                shown.push(m);
              },
            }
          : {}),
      },
    );
    const end$ = timer(20_000, scheduler);
    (parley$({ listen: { port: BOB_PORT } }, bob) as Observable<NodeEvent>)
      .pipe(
        tap((e) => events.push(e)),
        takeUntil(end$),
      )
      .subscribe();
    const jobs = partJobs();
    const [a, b, c, d] = jobs as [Job, Job, Job, Job];
    const jobs$ = cold('10ms (abcd)', { a, b, c, d });
    (parley$({ jobs$ }, alice) as Observable<ParleyOutput<never>>)
      .pipe(
        takeUntil(end$),
        filter(() => false),
      )
      .subscribe();
  });
  return { shown, events };
};

const receivedOf = (events: readonly NodeEvent[]) =>
  events.flatMap((e) =>
    e.kind === 'incoming' && e.event.kind === 'received' ? [e.event.message] : [],
  );

describe('a long text over the memory transport', () => {
  it('is four parts on the wire; bob is shown it once, whole, and lists it once', () => {
    expect(partJobs()).toHaveLength(4);
    const bobHistory = memoryHistory();
    const aliceHistory = memoryHistory();
    const { shown, events } = run(bobHistory, aliceHistory);
    expect(shown.map((m) => [m.msgId, m.text])).toEqual([[GROUP, TEXT]]);
    // The library's `received`: one, whole; a `part` event for each part before the last.
    expect(receivedOf(events).map((m) => [m.msgId, m.text === TEXT])).toEqual([[GROUP, true]]);
    expect(events.filter((e) => e.kind === 'part').map((e) => e.kind === 'part' && e.have)).toEqual(
      [1, 2, 3],
    );
    // What a peer that does not join would show: four ordinary messages, marked.
    expect(bobHistory.records().map((r) => r.text.slice(0, 6))).toEqual([
      '(1/4) ',
      '(2/4) ',
      '(3/4) ',
      '(4/4) ',
    ]);
    expect(joinPartRecords(bobHistory.records()).map((r) => [r.msgId, r.text === TEXT])).toEqual([
      [GROUP, true],
    ]);
    expect(
      joinPartRecords(aliceHistory.records()).map((r) => [r.msgId, r.state, r.text === TEXT]),
    ).toEqual([[GROUP, 'delivered', true]]);
  });

  it('with no sink (a library that reads its received events): one received, whole', () => {
    const bobHistory = memoryHistory();
    const { shown, events } = run(bobHistory, memoryHistory(), 0, false);
    expect(shown).toEqual([]);
    expect(receivedOf(events).map((m) => [m.msgId, m.text === TEXT])).toEqual([[GROUP, true]]);
    expect(events.filter((e) => e.kind === 'part')).toHaveLength(3);
    expect(joinPartRecords(bobHistory.records())).toHaveLength(1);
  });

  it('the last part handed over in vain (no ack) comes again: shown once, listed once', () => {
    const bobHistory = memoryHistory();
    const aliceHistory = memoryHistory();
    const { shown } = run(bobHistory, aliceHistory, 1);
    expect(shown.map((m) => [m.msgId, m.text === TEXT])).toEqual([[GROUP, true]]);
    expect(bobHistory.records()).toHaveLength(4);
    expect(joinPartRecords(bobHistory.records())).toHaveLength(1);
    expect(joinPartRecords(aliceHistory.records()).map((r) => r.state)).toEqual(['delivered']);
  });

  it('a bob started afresh (his history kept, the ids not recorded) lists it once', () => {
    const bobHistory = memoryHistory();
    const first = run(bobHistory, memoryHistory());
    const again = run(bobHistory, memoryHistory());
    expect(first.shown).toHaveLength(1);
    // The parts come again (not recorded): shown on the last kept only (a crash may show
    // twice, never none), and kept once.
    expect(again.shown).toHaveLength(1);
    expect(bobHistory.records()).toHaveLength(4);
    expect(joinPartRecords(bobHistory.records())).toHaveLength(1);
  });
});

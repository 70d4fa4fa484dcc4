/**
 * Messages to one contact arrive in the order written (issue 22.1): two whole nodes over the
 * memory transport in virtual time. Five sent at once go one after another, each once the one
 * before it is acked; four that failed while the contact was away go, once it is back, oldest
 * first, whichever of them fell due first on its jittered schedule.
 */
import * as E from 'fp-ts/lib/Either.js';
import { filter, map, mergeMap, type Observable, takeUntil, tap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Job, messageJob } from '../../src/node/jobs.js';
import { type ParleyOutput, parley$ } from '../../src/node/pipeline.js';
import type { NodeEvent } from '../../src/node/types.js';
import type { Clock } from '../../src/ports/ports.js';
import { marbles } from '../support/marbles.js';
import { BOB, BOB_PORT, memoryPair, SECRET } from '../support/memory-nodes.js';

/** alice's retries, short enough for a test's virtual minute. */
const ORDERED = { retry: { firstMs: 1_000, maxMs: 8_000 }, inOrder: true };

const toBob = (n: number): Job => {
  const made = messageJob(
    n,
    { to: { username: 'bob', host: BOB, port: BOB_PORT, secret: SECRET }, text: `m${n}` },
    { group: 'x25519', newMsgId: () => `00000000-0000-4000-8000-00000000000${n}` },
  );
  if (E.isLeft(made)) throw new Error(made.left.message);
  return made.right;
};

/** What bob was shown, with when (virtual ms). */
const shown = (
  bob$: Observable<ParleyOutput<never>>,
  into: Array<[number, string]>,
  clock: Clock,
) =>
  (bob$ as Observable<NodeEvent>).pipe(
    filter((e) => e.kind === 'incoming' && e.event.kind === 'received'),
    map((e) => (e.kind === 'incoming' && e.event.kind === 'received' ? e.event.message.text : '')),
    tap((text) => into.push([clock.now(), text])),
  );

describe('one contact is sent its messages in the order written', () => {
  it('five sent at once arrive in order, each after the one before it', () => {
    const got: Array<[number, string]> = [];
    marbles((scheduler, { cold }) => {
      const { alice, bob } = memoryPair(scheduler, ORDERED);
      const end$ = timer(5_000, scheduler);
      shown(parley$({ listen: { port: BOB_PORT } }, bob), got, scheduler)
        .pipe(takeUntil(end$))
        .subscribe();
      const jobs$ = cold('10ms (abcde)', {
        a: toBob(1),
        b: toBob(2),
        c: toBob(3),
        d: toBob(4),
        e: toBob(5),
      });
      parley$({ jobs$ }, alice).pipe(takeUntil(end$)).subscribe();
    });
    expect(got.map(([, text]) => text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    // One after another: each shown a whole exchange after the one before (not side by side).
    const times = got.map(([at]) => at);
    for (let i = 1; i < times.length; i += 1) {
      expect(times[i] as number).toBeGreaterThanOrEqual((times[i - 1] as number) + 40);
    }
  });

  it('four that waited for an offline contact arrive in order once it is back', () => {
    const got: Array<[number, string]> = [];
    marbles((scheduler, { cold }) => {
      const { alice, bob } = memoryPair(scheduler, ORDERED);
      const end$ = timer(60_000, scheduler);
      // Bob is away for the first 9 s: the first try of each fails, and the retries on
      // their jittered schedules fall due at different times.
      cold('9000ms b')
        .pipe(
          mergeMap(() => shown(parley$({ listen: { port: BOB_PORT } }, bob), got, scheduler)),
          takeUntil(end$),
        )
        .subscribe();
      const jobs$ = cold('10ms (abcd)', { a: toBob(1), b: toBob(2), c: toBob(3), d: toBob(4) });
      parley$({ jobs$ }, alice).pipe(takeUntil(end$)).subscribe();
    });
    expect(got.map(([, text]) => text)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('inOrder: false sends them side by side (throughput to one peer; order not kept)', () => {
    const got: Array<[number, string]> = [];
    marbles((scheduler, { cold }) => {
      const { alice, bob } = memoryPair(scheduler, { ...ORDERED, inOrder: false });
      const end$ = timer(5_000, scheduler);
      shown(parley$({ listen: { port: BOB_PORT } }, bob), got, scheduler)
        .pipe(takeUntil(end$))
        .subscribe();
      const jobs$ = cold('10ms (abc)', { a: toBob(1), b: toBob(2), c: toBob(3) });
      parley$({ jobs$ }, alice).pipe(takeUntil(end$)).subscribe();
    });
    expect(new Set(got.map(([at]) => at)).size).toBe(1);
  });
});

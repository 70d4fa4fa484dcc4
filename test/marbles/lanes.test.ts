/**
 * inLanes: one lane's values one after another, in order; different lanes side by side, at most
 * `concurrency` runs in all; torn down with its subscriber.
 */
import { type SchedulerLike, timer } from 'rxjs';
import { map } from 'rxjs/operators';
import { describe, it } from 'vitest';
import { inLanes } from '../../src/node/lanes.js';
import { marbles } from '../support/marbles.js';

/** A run of 10 ms that ends with its value. */
const run = (scheduler: SchedulerLike) => (v: string) => timer(10, scheduler).pipe(map(() => v));

describe('inLanes', () => {
  it('a lane one after another; other lanes and laneless values side by side', () => {
    marbles((scheduler, { cold, expectObservable }) => {
      const source = cold('(abcx|)', { a: 'a1', b: 'a2', c: 'b1', x: 'x' });
      const lane = (v: string) => (v === 'x' ? undefined : v[0]);
      expectObservable(source.pipe(inLanes(lane, run(scheduler), 10))).toBe('10ms (pqr) 5ms (s|)', {
        p: 'a1',
        q: 'b1',
        r: 'x',
        s: 'a2',
      });
    });
  });

  it('at most `concurrency` runs at once, taken in the order they became ready', () => {
    marbles((scheduler, { cold, expectObservable }) => {
      const source = cold('(abc|)', { a: 'a', b: 'b', c: 'c' });
      expectObservable(source.pipe(inLanes((v) => v, run(scheduler), 2))).toBe(
        '10ms (pq) 6ms (r|)',
        { p: 'a', q: 'b', r: 'c' },
      );
    });
  });

  it('unsubscribed, it tears down the source and every run', () => {
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a 20ms b', { a: 'k', b: 'k' });
      expectObservable(source.pipe(inLanes((v) => v, run(scheduler), 1)), '^ 4ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^ 4ms !');
    });
  });
});

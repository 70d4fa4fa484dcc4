/**
 * Answers let out in the order asked for, whatever order they come in.
 */
import { Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { arrive, inOrder, startReorder } from '../../src/cli/in-order.js';

describe('inOrder', () => {
  it('holds an early answer until every one before it is known', () => {
    let state = startReorder<string>();
    const steps: (readonly string[])[] = [];
    for (const [index, value] of [
      [2, 'carol'],
      [0, 'alice'],
      [3, 'dave'],
      [1, 'bob'],
    ] as const) {
      const [next, ready] = arrive(state, index, value);
      state = next;
      steps.push(ready);
    }
    expect(steps).toEqual([[], ['alice'], [], ['bob', 'carol', 'dave']]);
    expect(state.early.size).toBe(0);
  });

  it('as an operator: the directory order, every answer once', () => {
    const answers = new Subject<readonly [number, string]>();
    const out: string[][] = [];
    answers.pipe(inOrder(), toArray()).subscribe((all) => out.push(all));
    answers.next([1, 'bob']);
    answers.next([2, 'carol']);
    answers.next([0, 'alice']);
    answers.complete();
    expect(out).toEqual([['alice', 'bob', 'carol']]);
  });
});

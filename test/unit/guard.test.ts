import { describe, expect, it } from 'vitest';
import { createGuard } from '../../src/node/guard.js';

const options = {
  perSource: { maxFailures: 3, windowMs: 1_000, blockMs: 5_000, maxAddresses: 100 },
  perUsername: { maxFailures: 4, windowMs: 1_000, blockMs: 5_000, maxAddresses: 100 },
  global: { maxFailures: 6, windowMs: 1_000, firstBlockMs: 2_000, maxBlockMs: 5_000 },
  maxTrusted: 2,
};

describe('the guard', () => {
  it('counts a claimed username across sources', () => {
    const guard = createGuard(options);
    for (const s of ['a', 'b', 'c', 'd']) guard.failed(s, 'alice', false, 0);
    expect(guard.refusesProof('e', 'alice', false, 1)).toBe(true);
    expect(guard.refusesProof('e', 'carol', false, 1)).toBe(false);
    // A source that authenticated before is not held to the username's budget.
    expect(guard.refusesProof('e', 'alice', true, 1)).toBe(false);
  });

  it('blocks everyone not trusted past the global budget, longer each time', () => {
    const guard = createGuard(options);
    const fail = (at: number) => {
      for (let i = 0; i < 6; i++) guard.failed(`s${at}-${i}`, undefined, false, at);
    };
    fail(0);
    expect(guard.refusesConnection('new', false, 1_999)).toBe(true);
    expect(guard.refusesConnection('new', true, 1_999)).toBe(false);
    expect(guard.refusesConnection('new', false, 2_000)).toBe(false);
    fail(2_500); // tripped again without a quiet window: twice as long
    expect(guard.refusesConnection('new', false, 6_499)).toBe(true);
    expect(guard.refusesConnection('new', false, 6_500)).toBe(false);
    fail(20_000); // after a quiet window: short again
    expect(guard.refusesConnection('new', false, 22_000)).toBe(false);
  });

  it('keeps the per-source limit for trusted sources too', () => {
    const guard = createGuard(options);
    for (let i = 0; i < 3; i++) guard.failed('a', 'alice', true, i);
    expect(guard.refusesConnection('a', true, 10)).toBe(true);
  });

  it('remembers at most maxTrusted sources that authenticated, the oldest forgotten first', () => {
    const guard = createGuard(options);
    for (const s of ['a', 'b', 'c']) guard.authenticated(s);
    expect(['a', 'b', 'c'].map((s) => guard.knows(s))).toEqual([false, true, true]);
  });
});

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
    for (const s of ['a', 'b', 'c', 'd']) guard.failed(s, 'alice', 0);
    expect(guard.refusesProof('e', 'alice', 1)).toBe(true);
    expect(guard.refusesProof('e', 'carol', 1)).toBe(false);
    // A source alice authenticated from before is not held to her username's budget.
    guard.authenticated('e', 'alice');
    expect(guard.refusesProof('e', 'alice', 1)).toBe(false);
  });

  it("trusts a source for the contact that authenticated there only, never for another's username", () => {
    const guard = createGuard({ ...options, maxTrusted: 10 });
    for (const s of ['a', 'b', 'c']) guard.authenticated(s, 'carol');
    // carol's guesses at alice from her trusted sources count against alice's budget…
    for (const s of ['a', 'b', 'c', 'a']) guard.failed(s, 'alice', 0);
    expect(guard.refusesProof('b', 'alice', 1)).toBe(true);
    expect(guard.trusts('a', 'alice')).toBe(false);
    // …while carol herself is still let in there.
    expect(guard.trusts('a', 'carol')).toBe(true);
    expect(guard.refusesProof('c', 'carol', 1)).toBe(false);
  });

  it("a contact's directory address exempts that contact's username only", () => {
    const guard = createGuard(options, (source) => (source === 'home' ? ['carol'] : []));
    expect(guard.trustsSource('home')).toBe(true);
    expect(guard.trustsSource('elsewhere')).toBe(false);
    for (const s of ['x', 'y', 'z']) guard.failed(s, 'alice', 0);
    guard.failed('home', 'alice', 0); // the fourth: counted
    expect(guard.refusesProof('home', 'alice', 1)).toBe(true);
    for (const s of ['x', 'y', 'z', 'w']) guard.failed(s, 'carol', 0);
    expect(guard.refusesProof('w2', 'carol', 1)).toBe(true);
    expect(guard.refusesProof('home', 'carol', 1)).toBe(false);
  });

  it('blocks everyone not trusted past the global budget, longer each time', () => {
    const guard = createGuard(options);
    guard.authenticated('friend', 'carol');
    const fail = (at: number) => {
      for (let i = 0; i < 6; i++) guard.failed(`s${at}-${i}`, undefined, at);
    };
    fail(0);
    expect(guard.refusesConnection('new', 1_999)).toBe(true);
    // A source trusted for some contact connects; its proof passes for that contact only.
    expect(guard.refusesConnection('friend', 1_999)).toBe(false);
    expect(guard.refusesProof('friend', 'carol', 1_999)).toBe(false);
    expect(guard.refusesProof('friend', 'alice', 1_999)).toBe(true);
    expect(guard.refusesConnection('new', 2_000)).toBe(false);
    fail(2_500); // tripped again without a quiet window: twice as long
    expect(guard.refusesConnection('new', 6_499)).toBe(true);
    expect(guard.refusesConnection('new', 6_500)).toBe(false);
    fail(20_000); // after a quiet window: short again
    expect(guard.refusesConnection('new', 22_000)).toBe(false);
  });

  it('keeps the per-source limit for trusted pairs too, at the proof', () => {
    const guard = createGuard(options);
    guard.authenticated('a', 'alice');
    for (let i = 0; i < 3; i++) guard.failed('a', 'alice', i);
    // Let in (who it is is known at its hello), then refused before any work on its proof.
    expect(guard.refusesConnection('a', 10)).toBe(false);
    expect(guard.refusesProof('a', 'alice', 10)).toBe(true);
  });

  it('others failing from a shared address do not lock out a contact trusted there (issue 22)', () => {
    const guard = createGuard(options);
    guard.authenticated('nat', 'alice');
    // Someone behind the same address guesses at bob until the address is limited.
    for (let i = 0; i < 3; i++) guard.failed('nat', 'bob', i);
    expect(guard.refusesProof('nat', 'bob', 10)).toBe(true);
    expect(guard.refusesProof('nat', 'mallory', 10)).toBe(true);
    // alice, who proved her password from there before, still connects and is checked.
    expect(guard.refusesConnection('nat', 10)).toBe(false);
    expect(guard.refusesProof('nat', 'alice', 10)).toBe(false);
    // An address trusted for nobody is refused at once, as before.
    for (let i = 0; i < 3; i++) guard.failed('other', 'bob', i);
    expect(guard.refusesConnection('other', 10)).toBe(true);
  });

  it('remembers at most maxTrusted (source, contact) pairs, the oldest forgotten first', () => {
    const guard = createGuard(options);
    guard.authenticated('a', 'alice');
    guard.authenticated('a', 'carol');
    guard.authenticated('b', 'alice');
    expect([
      guard.trusts('a', 'alice'),
      guard.trusts('a', 'carol'),
      guard.trusts('b', 'alice'),
    ]).toEqual([false, true, true]);
    guard.authenticated('c', 'alice');
    expect(guard.trustsSource('a')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { createAuthLimiter, sourceOf } from '../../src/node/defences.js';

describe('sourceOf: whom the defences count a connection against', () => {
  it.each([
    ['127.0.0.5', '127.0.0.5'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3:8d3::/64'],
    ['2001:db8:85a3:8d3::1', '2001:db8:85a3:8d3::/64'],
    ['2001:0db8:0000:0000:ffff::2', '2001:db8:0:0::/64'],
    ['2001:db8::7', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, source) => {
    expect(sourceOf(address)).toBe(source);
  });

  it('puts two addresses of one IPv6 /64 together, and those of two /64s apart', () => {
    expect(sourceOf('2001:db8:1:2::a')).toBe(sourceOf('2001:db8:1:2:ffff::b'));
    expect(sourceOf('2001:db8:1:2::a')).not.toBe(sourceOf('2001:db8:1:3::a'));
  });
});

describe('the auth-failure limiter', () => {
  it('limits an address after maxFailures within the window, for blockMs, and no other', () => {
    const limiter = createAuthLimiter({ maxFailures: 3, windowMs: 1_000, blockMs: 5_000 });
    for (const at of [0, 10, 20]) limiter.recordFailure('a', at);
    expect(limiter.isLimited('a', 21)).toBe(true);
    expect(limiter.isLimited('b', 21)).toBe(false);
    expect(limiter.isLimited('a', 5_021)).toBe(false);
  });

  it('forgets failures spread wider than the window', () => {
    const limiter = createAuthLimiter({ maxFailures: 3, windowMs: 100, blockMs: 5_000 });
    for (const at of [0, 200, 400]) limiter.recordFailure('a', at);
    expect(limiter.isLimited('a', 401)).toBe(false);
  });

  it('remembers at most maxAddresses, the oldest forgotten first', () => {
    const limiter = createAuthLimiter({ maxFailures: 1, blockMs: 5_000, maxAddresses: 2 });
    limiter.recordFailure('a', 0);
    limiter.recordFailure('b', 0);
    limiter.recordFailure('c', 0);
    expect(['a', 'b', 'c'].map((x) => limiter.isLimited(x, 1))).toEqual([false, true, true]);
  });
});

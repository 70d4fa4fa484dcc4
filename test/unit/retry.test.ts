import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../src/node/retry.js';

describe('the retry schedule', () => {
  it('doubles from 10 s and stops growing at 15 minutes', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12].map((n) =>
      retryDelayMs(n, DEFAULT_RETRY_POLICY, 0),
    );
    expect(waits).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 900_000, 900_000, 900_000,
    ]);
  });

  it('jitter shortens a wait by up to half, never lengthens it', () => {
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, 0.5)).toBe(7_500);
    expect(retryDelayMs(3, DEFAULT_RETRY_POLICY, 0.999_999)).toBe(20_000);
    expect(retryDelayMs(8, DEFAULT_RETRY_POLICY, 1 - 1e-9)).toBe(450_000);
  });
});

import { expect, it } from 'vitest';
import { pooledRandomBytes } from '../../src/ports/random.js';

it('hands out each pooled byte once, across refills; larger asks bypass the pool', () => {
  const draw = pooledRandomBytes(64);
  const nonces = Array.from({ length: 40 }, () => draw(16)); // ten refills of the 64-byte pool
  expect(nonces.every((n) => n.length === 16)).toBe(true);
  expect(new Set(nonces.map((n) => n.toString('hex'))).size).toBe(40);
  expect(draw(100)).toHaveLength(100);
});

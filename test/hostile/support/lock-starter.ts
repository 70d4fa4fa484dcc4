/** One start of a parley as far as its outbox lock goes (lock-race.test.ts). */
import * as E from 'fp-ts/lib/Either.js';
import { takeLock } from '../../../src/store/lock-file.js';
import { atTheBarrier } from './barrier.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: lock-starter LOCK_PATH');
// The lock is held until the process exits.
atTheBarrier(() => {
  const taken = takeLock(path);
  return E.isRight(taken) ? { held: true } : taken.left;
});

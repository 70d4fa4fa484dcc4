/**
 * One start of a parley as far as its outbox lock goes, for lock-race.test.ts: says `ready`,
 * waits for `go` on stdin (so that all starts try at the same instant), takes the lock, says
 * what it got as a JSON line, and holds it until stdin ends (the test's end, or its death: a
 * child never outlives it), then exits, which gives the lock back.
 */
import { readSync } from 'node:fs';
import { takeLock } from '../../../src/cli/lock-file.js';

const oneByte = Buffer.alloc(1);
/** Blocks until a newline or the end of stdin; false at the end. */
const line = (): boolean => {
  for (;;) {
    let n: number;
    try {
      n = readSync(0, oneByte, 0, 1, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      continue;
    }
    if (n === 0) return false;
    if (oneByte[0] === 0x0a) return true;
  }
};

const path = process.argv[2];
if (path === undefined) throw new Error('usage: lock-starter LOCK_PATH');
process.stdout.write('ready\n');
if (line()) {
  const taken = takeLock(path);
  process.stdout.write(`${JSON.stringify('lock' in taken ? { held: true } : taken.refused)}\n`);
  line();
}
process.exit(0);

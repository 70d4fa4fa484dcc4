/**
 * The child's side of a start at a barrier (starts.ts): blocks until the test says a line
 * on stdin, so that many processes act at the same instant.
 */
import { readSync } from 'node:fs';

const oneByte = Buffer.alloc(1);

/** Blocks until a newline or the end of stdin (the test's end or death); false at the end. */
export const awaitLine = (): boolean => {
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

/**
 * Say `ready`, wait for `go`, act, say what came of it (one JSON line), hold on until stdin
 * ends (a child never outlives the test), then exit.
 */
export const atTheBarrier = (act: () => unknown): never => {
  process.stdout.write('ready\n');
  if (awaitLine()) {
    process.stdout.write(`${JSON.stringify(act())}\n`);
    awaitLine();
  }
  process.exit(0);
};

/**
 * A busy outbox's saves, as a child process to kill (outbox-kill.test.ts): the outbox file at
 * argv[2] opened, then changed again and again as a node would change it (a failed try, then
 * one delivered and one new, in turn), the number of each change printed once its save has
 * returned: what was said. `stateAfter` is the same sequence, for the test to check against.
 */
import { EMPTY_DIRECTORY } from '../../../src/codecs/directory.js';
import { initialNodeState, type NodeState, type OutboxEntry } from '../../../src/node/state.js';
import { createOutboxFile } from '../../../src/store/outbox-file.js';

/** Enough, with these texts, that the file keeps a log (over OUTBOX_REWRITE_MAX_BYTES). */
const MESSAGES = 100;
const TEXT_BYTES = 1_024;
const toBob = { username: 'bob', host: '127.0.0.1', port: 5002 };
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const entry = (n: number, attempts: number): OutboxEntry => ({
  job: { msgId: idOf(n), text: `${n} `.padEnd(TEXT_BYTES, '.'), to: toBob, group: 'x25519' },
  report: {
    outcome: 'not_delivered',
    msgId: idOf(n),
    to: toBob,
    failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
    reason: 'bob is not reachable',
    elapsedMs: 1,
  },
  attempts,
  nextTryAt: 0,
  paused: false,
});

/** The outbox as it starts, then after each change. */
function* states(): Generator<NodeState> {
  let outbox = Array.from({ length: MESSAGES }, (_, n) => entry(n, 1));
  let next = MESSAGES;
  for (let k = 0; ; k += 1) {
    yield { ...initialNodeState(EMPTY_DIRECTORY), outbox };
    const at = k % outbox.length;
    outbox =
      k % 2 === 0
        ? outbox.map((e, i) => (i === at ? { ...e, attempts: e.attempts + 1 } : e))
        : [...outbox.filter((_, i) => i !== at), entry(next++, 1)];
  }
}

/** The outbox after `changes` changes (0: as it starts). */
export const stateAfter = (changes: number): NodeState => {
  const all = states();
  for (let k = 0; k < changes; k += 1) all.next();
  return all.next().value as NodeState;
};

const main = () => {
  const path = process.argv[2];
  if (path === undefined) throw new Error('usage: outbox-saver.ts FILE');
  const { store } = createOutboxFile(path);
  let k = 0;
  for (const state of states()) {
    store.save(state);
    process.stdout.write(`${k}\n`);
    k += 1;
  }
};

if (process.argv[1]?.endsWith('outbox-saver.ts')) main();

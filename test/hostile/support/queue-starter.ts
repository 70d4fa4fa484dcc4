/**
 * One `send --queue` as alice whose message to bob was not delivered (lock-race.test.ts):
 * where to keep it is looked up before the send (as runSend does), then, at the barrier, it is
 * kept. $PARLEY_STATE_DIR is the state directory.
 */
import * as E from 'fp-ts/lib/Either.js';
import { queueInOutbox, queueRoute } from '../../../src/cli/outbox.js';
import { outboxCapsOf } from '../../../src/node/options.js';
import { atTheBarrier } from './barrier.js';

const msgId = process.argv[2];
if (msgId === undefined) throw new Error('usage: queue-starter MSG_ID');
const to = { username: 'bob', host: '127.0.0.1', port: 9 };
const route = queueRoute('alice');
atTheBarrier(() => {
  const kept = queueInOutbox(
    'alice',
    { msgId, text: `message ${msgId}`, to, group: 'x25519' },
    {
      outcome: 'not_delivered',
      msgId,
      to,
      failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
      reason: 'bob is not reachable',
      elapsedMs: 1,
    },
    (text) => process.stderr.write(`${text}\n`),
    outboxCapsOf({}),
  );
  return { route: E.isRight(route) ? route.right.kind : route.left.message, kept };
});

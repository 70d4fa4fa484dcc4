/**
 * The history over the memory store: two whole nodes in virtual time. A received message is
 * kept before the sink shows it and before the ack; a sent one in its state as reports come;
 * a retry after a crash (its id not recorded) is kept once; a history that cannot be written
 * fails the delivery (no ack: the sender keeps the message).
 */
import * as E from 'fp-ts/lib/Either.js';
import { filter, map, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/codecs/directory.js';
import { type Job, messageJob } from '../../src/node/jobs.js';
import { type ParleyOutput, parley$ } from '../../src/node/pipeline.js';
import type { NodeEvent } from '../../src/node/types.js';
import type { Clock, Transport } from '../../src/ports/ports.js';
import { type HistoryStore, memoryHistory } from '../../src/store/history-store.js';
import { memoryStore } from '../../src/store/memory.js';
import { memoryNetwork } from '../../src/transport/memory.js';
import { marbles } from '../support/marbles.js';
import {
  ALICE,
  BOB,
  BOB_PORT,
  directory,
  memoryNodeDeps,
  SECRET,
} from '../support/memory-nodes.js';

const MSG_ID = '00000000-0000-4000-8000-000000000001';

const nodeDeps = (
  name: string,
  peer: Directory,
  clock: Clock,
  transport: Transport,
  history: HistoryStore,
  deliver?: () => void,
) =>
  memoryNodeDeps(name, peer, clock, transport, {
    ports: { store: memoryStore({ history }) },
    ...(deliver === undefined ? {} : { deliver }),
  });

const toBob = (id: number, text: string): Job => {
  const made = messageJob(
    id,
    { to: { username: 'bob', host: BOB, port: BOB_PORT, secret: SECRET }, text },
    { group: 'x25519', newMsgId: () => MSG_ID },
  );
  if (E.isLeft(made)) throw new Error(made.left.message);
  return made.right;
};

const outcomes = (events$: Observable<ParleyOutput<never>>) =>
  (events$ as Observable<NodeEvent>).pipe(
    filter((e) => e.kind === 'delivery'),
    map((e) => (e.kind === 'delivery' ? e.report.outcome[0] : '')),
  );

/** Alice sends once at 10 ms (x25519's fast order: the report at 50); bob listens with `bobHistory` (and `deliver`). */
const exchange = (
  aliceHistory: HistoryStore,
  bobHistory: HistoryStore,
  expected: string,
  deliver?: () => void,
) =>
  marbles((scheduler, { cold, expectObservable }) => {
    const net = memoryNetwork({ clock: scheduler, latencyMs: 5 });
    const peerOfBob = directory('alice', ALICE, 5001);
    const bob = nodeDeps('bob', peerOfBob, scheduler, net.transport(BOB), bobHistory, deliver);
    const alice = nodeDeps(
      'alice',
      directory('bob', BOB, BOB_PORT),
      scheduler,
      net.transport(ALICE),
      aliceHistory,
    );
    const bob$ = parley$({ listen: { port: BOB_PORT } }, bob);
    const alice$ = parley$({ jobs$: cold('10ms j', { j: toBob(1, 'hi bob') }) }, alice);
    expectObservable(bob$.pipe(filter(() => false)), '200ms !').toBe('');
    expectObservable(alice$.pipe(outcomes), '200ms !').toBe(expected, { d: 'd', u: 'u' });
  });

describe('the history over the memory store', () => {
  it('bob keeps the message before he shows it; alice keeps it as delivered', () => {
    const alice = memoryHistory();
    const bob = memoryHistory();
    let keptBeforeShown = false;
    exchange(alice, bob, '50ms d', () => {
      keptBeforeShown = bob.records().length === 1;
    });
    expect(keptBeforeShown).toBe(true);
    expect(bob.records()).toEqual([
      {
        msgId: MSG_ID,
        direction: 'in',
        contact: 'alice',
        text: 'hi bob',
        timestamp: expect.any(String),
        atMs: 45,
      },
    ]);
    expect(alice.records()).toEqual([
      {
        msgId: MSG_ID,
        direction: 'out',
        contact: 'bob',
        text: 'hi bob',
        timestamp: new Date(10).toISOString(),
        atMs: 50,
        state: 'delivered',
      },
    ]);
  });

  it('a retry bob had kept but not recorded (a crash between) is kept once', () => {
    const bob = memoryHistory();
    exchange(memoryHistory(), bob, '50ms d');
    // A new bob (a fresh dedupe memory: the id was never recorded), the same history.
    exchange(memoryHistory(), bob, '50ms d');
    expect(bob.records()).toHaveLength(1);
  });

  it('a history that cannot be written: no ack, alice keeps it waiting', () => {
    const alice = memoryHistory();
    const broken: HistoryStore = {
      ...memoryHistory(),
      keep: () => {
        throw new Error('disk full');
      },
    };
    exchange(alice, broken, '50ms u');
    expect(alice.records().map((r) => r.state)).toEqual(['waiting']);
  });
});

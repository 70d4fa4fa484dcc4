/**
 * Two whole nodes — pipelines, epics, defences, actors — talking over the memory transport
 * in virtual time: every byte takes 5 ms, so each step of the exchange lands on a frame the
 * diagram can name, and no test waits for a real clock or a socket.
 */
import * as E from 'fp-ts/lib/Either.js';
import { filter, map, type Observable, type OperatorFunction } from 'rxjs';
import { describe, it } from 'vitest';
import type { Directory } from '../../src/codecs/directory.js';
import { type Job, messageJob } from '../../src/node/jobs.js';
import { type ParleyOutput, parley$ } from '../../src/node/pipeline.js';
import type { NodeEvent } from '../../src/node/types.js';
import type { Clock, Transport } from '../../src/ports/ports.js';
import { memoryNetwork } from '../../src/transport/memory.js';
import { marbles } from '../support/marbles.js';
import {
  ALICE,
  BOB,
  BOB_PORT,
  directory,
  memoryNodeDeps,
  memoryPair,
  SECRET,
} from '../support/memory-nodes.js';

const nodeDeps = (name: string, peer: Directory, clock: Clock, transport: Transport) =>
  memoryNodeDeps(name, peer, clock, transport);

/** One letter per event the diagrams follow; the rest filtered out. */
const letters: OperatorFunction<ParleyOutput<never>, string> = (events$) =>
  (events$ as Observable<NodeEvent>).pipe(
    map((e) => {
      if (e.kind === 'listening') return 'l';
      if (e.kind === 'queued') return 'q';
      if (e.kind === 'delivery') return e.report.outcome === 'delivered' ? 'd' : 'n';
      if (e.kind === 'incoming' && e.event.kind === 'received') return `r:${e.event.message.text}`;
      if (e.kind === 'incoming' && e.event.kind === 'rejected') return 'x';
      return '';
    }),
    filter((letter) => letter !== ''),
  );

const toBob = (id: number, text: string, group: 'x25519' | 'modp14' | 'cpace-ristretto255') =>
  messageJob(
    id,
    { to: { username: 'bob', host: BOB, port: BOB_PORT, secret: SECRET }, text },
    { group, newMsgId: () => `00000000-0000-4000-8000-00000000000${id}` },
  );

const jobOf = (made: ReturnType<typeof toBob>): Job => {
  if (E.isLeft(made)) throw new Error(made.left.message);
  return made.right;
};

describe('two nodes over the memory transport, in virtual time', () => {
  // After the connect (a round trip: 10 → 20), each flight takes 5 ms. The fast order:
  //   x25519, modp14: 25 hello → | 30 hello + dh ← | 35 dh + auth → | 40 auth ← |
  //                   45 message → (bob shows it) | 50 ack ← delivered: three round trips;
  //   cpace:          25 hello → | 30 hello + dh ← | 35 dh + auth + message → (shown) |
  //                   40 auth + ack ← delivered: two round trips.
  it.each([
    ['x25519', '44ms r', '39ms d'],
    ['modp14', '44ms r', '39ms d'],
    ['cpace-ristretto255', '34ms r', '29ms d'],
  ] as const)(
    '%s: alice delivers to bob in the fast order, shown before the ack',
    (group, shown, delivered) => {
      marbles((scheduler, { cold, expectObservable }) => {
        const { alice, bob } = memoryPair(scheduler);
        const bob$ = parley$({ listen: { port: BOB_PORT } }, bob);
        const alice$ = parley$(
          { jobs$: cold('10ms j', { j: jobOf(toBob(1, 'hi bob', group)) }) },
          alice,
        );
        expectObservable(bob$.pipe(letters), '200ms !').toBe(`l ${shown}`, {
          l: 'l',
          r: 'r:hi bob',
        });
        expectObservable(alice$.pipe(letters), '200ms !').toBe(`10ms q ${delivered}`, {
          q: 'q',
          d: 'd',
        });
      });
    },
  );

  it('nobody listens: the job ends not delivered after the connect round trip', () => {
    marbles((scheduler, { cold, expectObservable }) => {
      const net = memoryNetwork({ clock: scheduler, latencyMs: 5 });
      const alice = nodeDeps(
        'alice',
        directory('bob', BOB, BOB_PORT),
        scheduler,
        net.transport(ALICE),
      );
      const alice$ = parley$({ jobs$: cold('j', { j: jobOf(toBob(1, 'hi', 'x25519')) }) }, alice);
      expectObservable(alice$.pipe(letters), '100ms !').toBe('q 9ms n', { q: 'q', n: 'n' });
    });
  });
});

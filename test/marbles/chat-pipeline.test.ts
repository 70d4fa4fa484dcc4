/**
 * The chat's pipeline — keyboard lines through the console epic, its jobs through the node's
 * epics, the node's events back to the screen — with two nodes over the memory transport in
 * virtual time: what alice types and what both screens show, frame by frame.
 */
import * as E from 'fp-ts/lib/Either.js';
import { filter, map, type Observable, takeUntil, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type ConsoleConfig, consoleEpic, type Draw } from '../../src/cli/console-epic.js';
import type { Directory } from '../../src/codecs/directory.js';
import { resolveDeps } from '../../src/node/options.js';
import { type ParleyOutput, parley$ } from '../../src/node/pipeline.js';
import type { Clock, Transport } from '../../src/ports/ports.js';
import { seededRandom } from '../../src/ports/random.js';
import type { KeyboardInput } from '../../src/streams/keyboard.js';
import { memoryNetwork } from '../../src/transport/memory.js';
import { marbles } from '../support/marbles.js';

const SECRET = 'correct horse battery staple';

const config = (self: string): ConsoleConfig => ({
  self,
  directoryFile: '/nonexistent/contacts.json',
  banner: (port) => `${self} listens on ${port}`,
  group: 'x25519',
  verbose: false,
  durable: false,
});

const deps = (name: string, peer: string, peerIp: string, clock: Clock, transport: Transport) => {
  const directory = [{ username: peer, password: SECRET, ip: peerIp, port: 5000 }] as unknown;
  const resolved = resolveDeps({
    name,
    directory: directory as Directory,
    ports: { transport, clock, random: seededRandom(name) },
  });
  if (E.isLeft(resolved)) throw resolved.left;
  return resolved.right;
};

/** What a screen shows, line by line (questions and prompts left out). */
const shown = (out$: Observable<ParleyOutput<Draw>>): Observable<string> =>
  out$.pipe(
    filter((out): out is { kind: 'view'; view: Draw } => out.kind === 'view'),
    map((out) => out.view),
    filter((view): view is Extract<Draw, { kind: 'show' }> => view.kind === 'show'),
    // Times and durations vary with the clock; the words do not.
    map((view) => view.text.replace(/ in \d+ ms/, '').replace(/^\[[\d:]+\] /, '')),
  );

describe('the chat pipeline over the memory transport', () => {
  it('alice types "@bob hi": she sees it going, bob shows it, then she sees it delivered', () => {
    marbles((scheduler, { hot, expectObservable }) => {
      const net = memoryNetwork({ clock: scheduler, latencyMs: 5 });
      const bob = deps('bob', 'alice', '10.0.0.1', scheduler, net.transport('10.0.0.2'));
      const alice = deps('alice', 'bob', '10.0.0.2', scheduler, net.transport('10.0.0.1'));
      const line = (text: string): KeyboardInput => ({ kind: 'line', text });
      const bob$ = parley$<KeyboardInput, Draw>(
        {
          listen: { port: 5000 },
          lines$: hot<KeyboardInput>('-'),
          linesEpic: consoleEpic(config('bob')),
        },
        bob,
      );
      const alice$ = parley$<KeyboardInput, Draw>(
        {
          listen: { port: 5000 },
          lines$: hot('10ms t', { t: line('@bob hi') }),
          linesEpic: consoleEpic(config('alice')),
        },
        alice,
      );
      // 10 typed; 20 connected; 25 → 30 ← 35 → 40 ← (x25519's fast order); 45 the message
      // reaches bob, who shows it; 50 the ack reaches alice, who says it was delivered.
      expectObservable(bob$.pipe(shown), '100ms !').toBe('b 44ms m', {
        b: 'bob listens on 5000',
        m: expectedLine('alice', 'hi'),
      });
      expectObservable(alice$.pipe(shown), '100ms !').toBe('a 9ms s 39ms d', {
        a: 'alice listens on 5000',
        s: 'sending to bob…',
        d: '✓ delivered to bob',
      });
    });
  });
});

describe('a long text in the chat', () => {
  it('alice types 150 KB: it goes as 3 parts, bob sees the progress then it once, alice one ✓', () => {
    const text = `${'lorem ipsum dolor '.repeat(8_500)}end`;
    const bobSaw: string[] = [];
    const aliceSaw: string[] = [];
    marbles((scheduler, { hot }) => {
      const net = memoryNetwork({ clock: scheduler, latencyMs: 5 });
      const bob = deps('bob', 'alice', '10.0.0.1', scheduler, net.transport('10.0.0.2'));
      const alice = deps('alice', 'bob', '10.0.0.2', scheduler, net.transport('10.0.0.1'));
      const end$ = timer(2_000, scheduler);
      parley$<KeyboardInput, Draw>(
        {
          listen: { port: 5000 },
          lines$: hot<KeyboardInput>('-'),
          linesEpic: consoleEpic(config('bob')),
        },
        bob,
      )
        .pipe(shown, takeUntil(end$))
        .subscribe((l) => bobSaw.push(l));
      parley$<KeyboardInput, Draw>(
        {
          listen: { port: 5000 },
          lines$: hot('10ms t', { t: { kind: 'line', text: `@bob ${text}` } as KeyboardInput }),
          linesEpic: consoleEpic(config('alice')),
        },
        alice,
      )
        .pipe(shown, takeUntil(end$))
        .subscribe((l) => aliceSaw.push(l));
    });
    expect(bobSaw).toEqual([
      'bob listens on 5000',
      'alice is sending a long message: 1 of 3 parts',
      'alice is sending a long message: 2 of 3 parts',
      expectedLine('alice', text),
    ]);
    expect(aliceSaw).toEqual(['alice listens on 5000', 'sending to bob…', '✓ delivered to bob']);
  });
});

/** How the chat shows a received message, time stripped. */
const expectedLine = (from: string, text: string) => `${from}: ${text}`;

/**
 * test/fixtures/fast-order.json: the fast order's frames for each vector case, flight by
 * flight. Proven two ways: its values are exactly the lock-step case's (only the hellos carry
 * `group`), and the two actors, stepped against each other, write exactly these lines, with
 * the frames of each flight written together.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type InitiatorState, startInitiator, stepInitiator } from '../../src/actors/initiator.js';
import { startResponder, stepResponder } from '../../src/actors/responder.js';
import type { Effect, Inbound } from '../../src/actors/types.js';
import { encodeFrame } from '../../src/codecs/line.js';
import {
  initiatorDeps,
  initiatorParams,
  responderAnswers,
  responderConfig,
  responderDeps,
  vectorFrames,
} from '../support/actors.js';
import { VECTORS } from '../support/vectors.js';

interface Flight {
  readonly by: 'initiator' | 'responder';
  readonly lines: readonly string[];
}
interface FastCase {
  readonly group: string;
  readonly round_trips: number;
  readonly flights: readonly Flight[];
}
const FAST: readonly FastCase[] = JSON.parse(
  readFileSync(new URL('../fixtures/fast-order.json', import.meta.url), 'utf8'),
).cases;

const linesOf = <Ev>(effects: readonly Effect<Ev>[]) =>
  effects.flatMap((e) => (e.kind === 'send' ? [encodeFrame(e.frame).slice(0, -1)] : []));
const asInputs = (lines: readonly string[]): Inbound[] =>
  lines.map((line) => ({ kind: 'frame', frame: JSON.parse(line) }));

describe.each(VECTORS.map((v) => [v.group, v] as const))(
  'the fast order vector, %s',
  (group, v) => {
    const fast = FAST.find((c) => c.group === group)!;

    it('holds the lock-step case’s values, in the fast order’s flights', () => {
      const f = vectorFrames(v);
      const lockStep = [f.helloI, f.helloR, f.dhR, f.dhI, f.authI];
      const tail =
        group === 'cpace-ristretto255' ? [f.message, f.authR, f.ack] : [f.authR, f.message, f.ack];
      const values = fast.flights
        .flatMap((flight) => flight.lines)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const withoutOffer = values.map((x) => (x.type === 'hello' ? { ...x, group: undefined } : x));
      expect(withoutOffer).toEqual([...lockStep, ...tail]);
      expect(values.filter((x) => x.type === 'hello').map((x) => x.group)).toEqual([group, group]);
      expect(fast.round_trips).toBe(group === 'cpace-ristretto255' ? 2 : 3);
    });

    it('is what the two actors write, flight by flight', () => {
      const iDeps = initiatorDeps(v);
      const rDeps = responderDeps(v);
      const answer = responderAnswers(v);
      let [initiator, out]: readonly [InitiatorState, readonly Effect<unknown>[]] = startInitiator(
        initiatorParams(v, { fast: true }),
        iDeps,
      );
      let [responder] = startResponder(responderConfig(v));
      const flights: Flight[] = [{ by: 'initiator', lines: linesOf(out) }];
      for (let turn = 0; turn < 6 && flights.at(-1)!.lines.length > 0; turn++) {
        const last = flights.at(-1)!;
        const inputs = asInputs(last.lines);
        const written: Effect<unknown>[] = [];
        while (inputs.length > 0) {
          const input = inputs.shift()!;
          if (last.by === 'initiator') {
            const [next, effects] = stepResponder(responder, input, rDeps);
            [responder, out] = [next, effects];
            // The node's answers go first, as the driver's mailbox puts them.
            inputs.unshift(...out.flatMap((e) => answer(e) ?? []));
          } else {
            const [next, effects] = stepInitiator(initiator, input, iDeps);
            [initiator, out] = [next, effects];
          }
          written.push(...out);
        }
        const by = last.by === 'initiator' ? 'responder' : 'initiator';
        flights.push({ by, lines: linesOf(written) });
      }
      expect(flights.filter((flight) => flight.lines.length > 0)).toEqual(fast.flights);
    });
  },
);

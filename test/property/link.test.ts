/**
 * Two actors back to back (test/support/link.ts) with an attacker on the path who changes one
 * field of one frame, chosen at random: the initiator reports delivery only when nothing that
 * is proven was touched, and the responder shows the message only when the message itself
 * arrived untouched (a changed ack leaves it shown, and the sender in doubt).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InitiatorEvent } from '../../src/actors/initiator.js';
import type { ResponderEvent } from '../../src/actors/responder.js';
import { changeField, fieldChange, type Json, RUNS } from '../hostile/support/arbitraries.js';
import {
  initiatorDeps,
  initiatorParams,
  responderConfig,
  responderDeps,
  vectorLookup,
} from '../support/actors.js';
import { type Direction, link } from '../support/link.js';
import { marbles } from '../support/marbles.js';
import { VECTORS } from '../support/vectors.js';

const attack = fc.record({
  direction: fc.constantFrom<Direction>('toResponder', 'toInitiator'),
  index: fc.nat({ max: 3 }),
  change: fieldChange,
});
type Attack = typeof attack extends fc.Arbitrary<infer A> ? A : never;

describe.each(VECTORS.map((v) => [v.group, v] as const))('an attacker on the path, %s', (_, v) => {
  /** Runs one exchange; says what each side published and what the attacker really changed. */
  const exchange = ({ direction, index, change }: Attack) => {
    const seen: Record<Direction, number> = { toResponder: 0, toInitiator: 0 };
    /** The frame changed in a way the handshake proves; a changed hello `to` is only a hint. */
    let changed: Json | undefined;
    let hintOnly = false;
    const out = { initiator: [] as InitiatorEvent[], responder: [] as ResponderEvent[] };
    marbles((scheduler) => {
      const wire = link({
        scheduler,
        initiator: { params: initiatorParams(v), deps: initiatorDeps(v) },
        responder: { config: responderConfig(v), deps: responderDeps(v), lookup: vectorLookup(v) },
        tamper: (frame, d) => {
          if (d !== direction || seen[d]++ !== index) return frame;
          const bent = changeField(frame, change);
          const same = (a: Json) => JSON.stringify(a) === JSON.stringify(frame);
          // A hello's `to` is a routing hint outside the transcript hash (see actors.test.ts).
          hintOnly = !same(bent) && frame.type === 'hello' && same({ ...bent, to: frame.to });
          if (!same(bent) && !hintOnly) changed = frame;
          return bent;
        },
      });
      wire.initiatorEvents$.subscribe((e) => out.initiator.push(e));
      wire.responderEvents$.subscribe((e) => out.responder.push(e));
    });
    return { ...out, changed, hintOnly };
  };

  it('delivery is reported only for an untouched exchange; a message is shown only if it arrived intact', () => {
    fc.assert(
      fc.property(attack, (a) => {
        const { initiator, responder, changed, hintOnly } = exchange(a);
        expect(initiator).toHaveLength(1);
        expect(responder).toHaveLength(1);
        const delivered = initiator[0]!.kind === 'delivered';
        const shown = responder[0]!.kind === 'received';
        const ackOnly = changed?.type === 'ack';
        if (changed !== undefined) expect(delivered).toBe(false);
        if (changed === undefined && !hintOnly) expect(delivered).toBe(true);
        if (changed !== undefined && !ackOnly) expect(shown).toBe(false);
        if (ackOnly) expect(shown).toBe(true);
        if (changed?.type === 'message' || ackOnly) {
          expect(initiator[0]).toMatchObject({ kind: 'failed', delivery: 'unknown' });
        }
      }),
      RUNS,
    );
  });
});

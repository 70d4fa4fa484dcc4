/**
 * The actors are pure: the same state and input always give the same next state and effects,
 * and a step never reaches for I/O. The dependencies handed in carry traps where the node's
 * I/O lives (the dedupe memory, the seen file): a step that touched one would throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InitiatorState, initiatorLogic } from '../../src/actors/initiator.js';
import { type ResponderState, responderLogic } from '../../src/actors/responder.js';
import type { ActorLogic, Inbound } from '../../src/actors/types.js';
import type { Frame } from '../../src/codecs/frames.js';
import { anyFrame } from '../hostile/support/arbitraries.js';
import {
  initiatorDeps,
  initiatorParams,
  responderConfig,
  responderDeps,
  vectorFrames,
} from '../support/actors.js';
import { VECTORS } from '../support/vectors.js';

/** An object any use of which throws: where a step must never reach. */
const trap = (what: string): never =>
  new Proxy(
    {},
    {
      get: () => {
        throw new Error(`a step touched ${what}`);
      },
    },
  ) as never;

const io = { dedupe: trap('the dedupe memory'), seenFile: trap('the seen file') };

/** A state with its functions (a key pair's) left out, for comparing by value. */
const snapshot = (value: unknown): string => JSON.stringify(value);

/** Walks the script from the start; at each state, the step twice over must agree. */
const checkDeterministic = <S extends { readonly phase: string }, Ev>(
  logic: ActorLogic<S, Ev>,
  script: readonly Inbound[],
) => {
  let [state] = logic.start();
  for (const input of script) {
    const first = logic.step(state, input);
    const second = logic.step(state, input);
    expect(snapshot(second[0])).toBe(snapshot(first[0]));
    expect(second[1]).toEqual(first[1]);
    [state] = first;
  }
};

const asInput = (frame: Frame): Inbound => ({ kind: 'frame', frame });

describe.each(VECTORS.map((v) => [v.group, v] as const))('pure steps, %s', (_, v) => {
  const f = vectorFrames(v);
  const responder = (): ActorLogic<ResponderState, unknown> =>
    responderLogic(responderConfig(v), { ...responderDeps(v), ...io });
  const initiator = (): ActorLogic<InitiatorState, unknown> =>
    initiatorLogic(initiatorParams(v), { ...initiatorDeps(v), ...io });
  // The node's answers in their places: the lookup after hello, the budget before dh and auth.
  const budget: Inbound = { kind: 'budget', allowed: true };
  const toResponder: Inbound[] = [
    asInput(f.helloI),
    { kind: 'contact', secret: v.secret },
    asInput(f.dhI),
    budget,
    asInput(f.authI),
    budget,
    asInput(f.message),
    { kind: 'recorded', fresh: true },
  ];
  const toInitiator = [f.helloR, f.dhR, f.authR, f.ack].map(asInput);

  it('the valid exchange, step by step, twice over: equal results, no I/O', () => {
    checkDeterministic(responder(), toResponder);
    checkDeterministic(initiator(), toInitiator);
  });

  it('any frame after any prefix of the exchange: equal results, no I/O', () => {
    fc.assert(
      fc.property(fc.nat(8), anyFrame, (n, frame) => {
        checkDeterministic(responder(), [...toResponder.slice(0, n), asInput(frame)]);
        checkDeterministic(initiator(), [...toInitiator.slice(0, n), asInput(frame)]);
      }),
      { numRuns: 300 },
    );
  });
});

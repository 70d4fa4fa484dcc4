/**
 * The actors against any script an attacker can write from a valid transcript: frames
 * reordered, dropped, duplicated, cut short, replaced by others, fields bent. Driven through
 * stepInitiator / stepResponder directly (pure, fast): every run ends closed, never throws,
 * and succeeds only when the transcript was the valid one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startInitiator, stepInitiator } from '../../src/actors/initiator.js';
import { type ResponderState, startResponder, stepResponder } from '../../src/actors/responder.js';
import type { Effect, Inbound, Transition } from '../../src/actors/types.js';
import { type Json, RUNS } from '../hostile/support/arbitraries.js';
import { expectCleanEnd, sent } from '../support/actor-runs.js';
import {
  initiatorDeps,
  initiatorParams,
  remembering,
  responderConfig,
  responderDeps,
  vectorFrames,
} from '../support/actors.js';
import { applyEdit, editsOf, type Item, toInbound } from '../support/script-edits.js';
import { VECTORS } from '../support/vectors.js';

const ALL_FRAMES = VECTORS.flatMap((v) => Object.values(vectorFrames(v))) as Json[];
const edits = editsOf(ALL_FRAMES);

interface Run<Ev> {
  readonly effects: Effect<Ev>[];
  /** The inputs the actor took before it closed. */
  readonly consumed: Inbound[];
  readonly closed: boolean;
}

/** Feed the inputs; a peer that stops writing ends the connection. */
const drive = <S extends { readonly phase: string }, Ev>(
  start: Transition<S, Ev>,
  step: (s: S, i: Inbound) => Transition<S, Ev>,
  inputs: readonly Inbound[],
): Run<Ev> => {
  let [state, out] = start;
  const effects = [...out];
  const consumed: Inbound[] = [];
  for (const input of [...inputs, { kind: 'end' } as const]) {
    if (state.phase === 'closed') {
      // A closed actor ignores whatever still comes.
      expect(step(state, input)).toEqual([state, []]);
      continue;
    }
    consumed.push(input);
    [state, out] = step(state, input);
    effects.push(...out);
  }
  return { effects, consumed, closed: state.phase === 'closed' };
};

/**
 * What the handshake binds of an input. A hello's `to` is a routing hint, outside the
 * transcript hash: the responder checks it against its own name, the initiator checks the
 * responder's `from` instead, and a changed `to` changes nothing that is proven (I.from and
 * R.from are in the hash). Everything else counts.
 */
const bound = (input: Inbound): unknown =>
  input.kind === 'frame' && input.frame.type === 'hello' ? { ...input.frame, to: '*' } : input;

/** The first `count` inputs are exactly those of the valid transcript. */
const equalPrefix = (inputs: readonly Inbound[], valid: readonly Inbound[], count: number) => {
  try {
    expect(inputs.slice(0, count).map(bound)).toEqual(valid.slice(0, count).map(bound));
    return inputs.length >= count;
  } catch {
    return false;
  }
};

describe.each(VECTORS.map((v) => [v.group, v] as const))('actors under attack, %s', (_, v) => {
  const f = vectorFrames(v) as Record<string, Json>;
  const toResponder: Item[] = [f.helloI!, f.dhI!, f.authI!, f.message!].map((frame) => ({ frame }));
  const toInitiator: Item[] = [f.helloR!, f.dhR!, f.authR!, f.ack!].map((frame) => ({ frame }));

  const runResponder = (script: readonly Item[]) => {
    const deps = responderDeps(v);
    return drive(
      startResponder(responderConfig(v)),
      remembering((s: ResponderState, i: Inbound) => stepResponder(s, i, deps), undefined, v),
      script.map(toInbound),
    );
  };
  const runInitiator = (script: readonly Item[]) => {
    const deps = initiatorDeps(v);
    return drive(
      startInitiator(initiatorParams(v), deps),
      (s, i) => stepInitiator(s, i, deps),
      script.map(toInbound),
    );
  };

  it('the valid transcripts succeed (the baseline of the properties below)', () => {
    expect(expectCleanEnd(runResponder(toResponder)).kind).toBe('received');
    expect(expectCleanEnd(runInitiator(toInitiator)).kind).toBe('delivered');
  });

  it('the responder: closed, never throws, shows only the valid transcript, proves itself only to a verified peer', () => {
    const valid = toResponder.map(toInbound);
    fc.assert(
      fc.property(edits, (es) => {
        const run = runResponder(es.reduce(applyEdit, toResponder));
        const event = expectCleanEnd(run);
        const authenticated = equalPrefix(run.consumed, valid, 3);
        if (event.kind === 'received') expect(equalPrefix(run.consumed, valid, 4)).toBe(true);
        if (event.kind === 'presence') expect(authenticated).toBe(true);
        expect(event.kind).not.toBe('duplicate');
        // proof_R goes out only after proof_I verified.
        if (sent(run, 'auth').length > 0) expect(authenticated).toBe(true);
        if (sent(run, 'ack').length > 0) expect(event.kind).toBe('received');
      }),
      RUNS,
    );
  });

  it('the fast order responder: closed, never throws, shows only the valid transcript, proves itself only to a verified peer', () => {
    const offer = { ...f.helloI!, group: v.group } as Json;
    const fastScript: Item[] = [offer, f.dhI!, f.authI!, f.message!].map((frame) => ({ frame }));
    const valid = fastScript.map(toInbound);
    fc.assert(
      fc.property(edits, (es) => {
        const run = runResponder(es.reduce(applyEdit, fastScript));
        const event = expectCleanEnd(run);
        // An offer removed or changed to another accepted group is lock-step or that group:
        // only what the transcript proves counts, as below for lock-step.
        const authenticated =
          equalPrefix(run.consumed, valid, 3) ||
          equalPrefix(run.consumed, toResponder.map(toInbound), 3);
        if (event.kind === 'received') expect(authenticated).toBe(true);
        if (sent(run, 'auth').length > 0) expect(authenticated).toBe(true);
        if (sent(run, 'ack').length > 0) expect(event.kind).toBe('received');
      }),
      RUNS,
    );
  });

  it('the fast order initiator: the message only after proof_R verified (modp14, x25519), after a hello and a dh (CPace)', () => {
    const echo = { ...f.helloR!, group: v.group } as Json;
    const fastScript: Item[] = [echo, f.dhR!, f.authR!, f.ack!].map((frame) => ({ frame }));
    const valid = fastScript.map(toInbound);
    const deps = initiatorDeps(v);
    const frame = (x: unknown): Inbound => ({ kind: 'frame', frame: x as never });
    // The offer's echo is no part of what is proven: without it, lock-step follows.
    const unechoed = (inputs: readonly Inbound[]) =>
      inputs.map((i) =>
        i.kind === 'frame' && i.frame.type === 'hello'
          ? frame({ ...i.frame, group: undefined })
          : i,
      );
    fc.assert(
      fc.property(edits, (es) => {
        const run = drive(
          startInitiator(initiatorParams(v, { fast: true }), deps),
          (s, i) => stepInitiator(s, i, deps),
          es.reduce(applyEdit, fastScript).map(toInbound),
        );
        const event = expectCleanEnd(run);
        const consumed = unechoed(run.consumed);
        if (event.kind === 'delivered')
          expect(equalPrefix(consumed, unechoed(valid), 4)).toBe(true);
        if (sent(run, 'message').length === 0) return;
        if (v.group !== 'cpace-ristretto255') {
          expect(equalPrefix(consumed, unechoed(valid), 3)).toBe(true);
        } else {
          // CPace: a share tests at most one guess, so the message may follow any hello and dh
          // that passed their checks (the keys are then out of an impostor's reach).
          const types = run.consumed.map((i) => (i.kind === 'frame' ? i.frame.type : i.kind));
          expect(types.slice(0, 2)).toEqual(['hello', 'dh']);
        }
      }),
      RUNS,
    );
  });

  it('the initiator: closed, never throws, delivered only on the valid transcript, the message only to a verified peer', () => {
    const valid = toInitiator.map(toInbound);
    fc.assert(
      fc.property(edits, (es) => {
        const run = runInitiator(es.reduce(applyEdit, toInitiator));
        const event = expectCleanEnd(run);
        if (event.kind === 'delivered') expect(equalPrefix(run.consumed, valid, 4)).toBe(true);
        // The secret message goes out only after proof_R verified.
        if (sent(run, 'message').length > 0) expect(equalPrefix(run.consumed, valid, 3)).toBe(true);
        // Once the message is out, a failure leaves its fate unknown, never "not delivered".
        if (event.kind === 'failed' && sent(run, 'message').length > 0) {
          expect(event).toMatchObject({ delivery: 'unknown' });
        }
      }),
      RUNS,
    );
  });
});

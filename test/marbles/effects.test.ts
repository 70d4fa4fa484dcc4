/**
 * What the responder tells the node, as effects: `claimed` at hello, the `lookup` question
 * (answered `contact`), `may_guess` before any work a guess is made with (answered `budget`),
 * `authenticated` once proof_I verified, and a `guess` charged, with its reason. The node's
 * defences act on these alone (src/node/incoming.ts), so each is pinned here, step by step.
 */
import { describe, expect, it } from 'vitest';
import {
  type ResponderEvent,
  type ResponderState,
  startResponder,
  stepResponder,
} from '../../src/actors/responder.js';
import type { Effect, Inbound } from '../../src/actors/types.js';
import type { Frame } from '../../src/codecs/frames.js';
import { responderConfig, responderDeps, vectorFrames } from '../support/actors.js';
import { frame } from '../support/scripted.js';
import { VECTORS } from '../support/vectors.js';

const CONTACT: Inbound = { kind: 'contact', secret: VECTORS[0]!.secret };
const ALLOWED: Inbound = { kind: 'budget', allowed: true };
const REFUSED: Inbound = { kind: 'budget', allowed: false };

/** The kinds of effects each input gave (a send by its frame type, a guess by its reason). */
const kinds = (effects: readonly Effect<ResponderEvent>[]) =>
  effects.map((e) => {
    if (e.kind === 'send') return e.frame.type === 'error' ? `error ${e.frame.code}` : e.frame.type;
    if (e.kind === 'guess') return `guess ${e.reason}`;
    return e.kind;
  });

describe.each(VECTORS.map((v) => [v.group, v] as const))('the responder says, %s', (_, v) => {
  const f = vectorFrames(v);
  const deps = responderDeps(v);
  const contact: Inbound = { kind: 'contact', secret: v.secret };
  /** Steps through the inputs; the effects of each step, in order. */
  const run = (inputs: readonly Inbound[]) => {
    let [state] = startResponder(responderConfig(v)) as [ResponderState, unknown];
    return inputs.map((input) => {
      const [next, effects] = stepResponder(state, input, deps);
      state = next;
      return effects;
    });
  };
  const steps = (inputs: readonly Inbound[]) => run(inputs).map(kinds);
  const fast = frame({ ...f.helloI, group: v.group });
  const lockStep = [frame(f.helloI), contact, frame(f.dhI), ALLOWED];

  it('claimed and lookup at hello, before it answers; hello once the node answered', () => {
    const [atHello, atContact] = run([frame(f.helloI), contact]);
    expect(atHello).toEqual([
      { kind: 'claimed', username: 'alice' },
      { kind: 'lookup', username: 'alice' },
    ]);
    expect(kinds(atContact!)).toEqual(['hello']);
  });

  it('may_guess before its key pair (dh) and before checking a proof (auth)', () => {
    expect(steps([...lockStep, frame(f.authI), ALLOWED])).toEqual([
      ['claimed', 'lookup'],
      ['hello'],
      ['may_guess'],
      ['dh'],
      ['may_guess'],
      ['authenticated', 'auth'],
    ]);
    expect(run([frame(f.helloI), contact, frame(f.dhI)])[2]).toEqual([
      { kind: 'may_guess', username: 'alice' },
    ]);
    expect(run([...lockStep, frame(f.authI), ALLOWED])[5]![0]).toEqual({
      kind: 'authenticated',
      username: 'alice',
    });
  });

  it('a wrong proof: guess proof_failed, then auth_failed', () => {
    const wrong = frame({ type: 'auth', proof: 'f'.repeat(64) });
    const last = run([...lockStep, wrong, ALLOWED]).at(-1)!;
    expect(last[0]).toEqual({ kind: 'guess', username: 'alice', reason: 'proof_failed' });
    expect(kinds(last)).toEqual(['guess proof_failed', 'error auth_failed', 'emit', 'close']);
  });

  it('DH done and no proof after it (the peer leaves, falls silent, or errs): guess no_proof', () => {
    for (const end of [{ kind: 'end' }, { kind: 'timeout' }, frame(f.message)] as Inbound[]) {
      expect(steps([...lockStep, end]).at(-1)![0]).toBe('guess no_proof');
    }
  });

  it('no DH done yet (lock-step, after hello): leaving costs nothing', () => {
    expect(steps([frame(f.helloI), contact, { kind: 'end' }]).at(-1)).toEqual(['emit', 'close']);
  });

  it('the budgets refuse: rate_limited, the proof never checked, and no guess charged', () => {
    expect(steps([...lockStep, frame(f.authI), REFUSED]).at(-1)).toEqual([
      'error rate_limited',
      'emit',
      'close',
    ]);
    expect(steps([frame(f.helloI), contact, frame(f.dhI), REFUSED]).at(-1)).toEqual([
      'error rate_limited',
      'emit',
      'close',
    ]);
  });

  it('a group refused: guess refused_group (a pinned contact is not told apart for free)', () => {
    const other = v.group === 'x25519' ? 'modp14' : 'x25519';
    const pinned: Inbound = { kind: 'contact', secret: v.secret, group: other };
    expect(steps([frame(f.helloI), pinned, frame(f.dhI), ALLOWED]).at(-1)).toEqual([
      'guess refused_group',
      'error unsupported_group',
      'emit',
      'close',
    ]);
    // The fast order's offer is held to the pin too.
    expect(steps([fast, pinned, ALLOWED]).at(-1)).toEqual([
      'guess refused_group',
      'error unsupported_group',
      'emit',
      'close',
    ]);
  });

  it('the fast order: may_guess before the key pair it makes after hello; leaving then costs a guess', () => {
    expect(steps([fast, contact, ALLOWED, { kind: 'end' }])).toEqual([
      ['claimed', 'lookup'],
      ['may_guess'],
      ['hello', 'dh'],
      ['guess no_proof', 'emit', 'close'],
    ]);
  });
});

describe('a share that fails its check after our key pair was made', () => {
  it('modp14, public value 1: guess bad_share, then bad_public_key', () => {
    const v = VECTORS.find((c) => c.group === 'modp14')!;
    const f = vectorFrames(v);
    const bad = frame({ ...f.dhI, public: '1'.padStart(512, '0') } as Frame);
    let [state] = startResponder(responderConfig(v)) as [ResponderState, unknown];
    let effects: readonly Effect<ResponderEvent>[] = [];
    for (const input of [frame(f.helloI), CONTACT, bad, ALLOWED]) {
      [state, effects] = stepResponder(state, input, responderDeps(v));
    }
    expect(kinds(effects)).toEqual(['guess bad_share', 'error bad_public_key', 'emit', 'close']);
  });
});

/**
 * The actors are pure: the same state and input always give the same next state and effects,
 * and a step never reaches for I/O. Two kinds of trap make that checkable:
 * - what the actors really receive (randomBytes, now, keyPair, the lookups) is recorded, and
 *   the two runs of a step must ask for the same things with the same arguments;
 * - while a step runs, the platform's own clock, randomness and timers throw (Date.now,
 *   `new Date()`, Math.random, performance.now, process.hrtime, node:crypto's and Web
 *   Crypto's random functions, setTimeout & co.): an actor that reached past its
 *   dependencies would fail here. (Sockets and files are the purity test's: no actor imports
 *   node:net or node:fs.)
 * The last block shows that each trap fires, on steps made to misbehave.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

/** Set while a step runs: the platform's randomness then throws. */
const world = vi.hoisted(() => ({ closed: false }));

const reached = (what: string): never => {
  throw new Error(`a step reached for ${what}`);
};

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const guarded = <F extends (...args: never[]) => unknown>(name: string, f: F): F =>
    ((...args: Parameters<F>) => (world.closed ? reached(`node:crypto ${name}`) : f(...args))) as F;
  const random = {
    randomBytes: guarded('randomBytes', real.randomBytes),
    randomFillSync: guarded('randomFillSync', real.randomFillSync),
    randomFill: guarded('randomFill', real.randomFill),
    randomInt: guarded('randomInt', real.randomInt),
    randomUUID: guarded('randomUUID', real.randomUUID),
    getRandomValues: guarded('getRandomValues', real.getRandomValues),
  };
  return { ...real, ...random, default: { ...real, ...random } };
});

/**
 * The platform's clock, randomness and timers, each replaced (for this file) by one that
 * throws while a step runs and is itself otherwise. Installed once: a spy per step would
 * cost more than the steps.
 */
const PLATFORM: readonly (readonly [object, string, string])[] = [
  [Math, 'random', 'Math.random'],
  [performance, 'now', 'performance.now'],
  [process, 'hrtime', 'process.hrtime'],
  [globalThis.crypto, 'getRandomValues', 'crypto.getRandomValues'],
  [globalThis.crypto, 'randomUUID', 'crypto.randomUUID'],
  [globalThis, 'setTimeout', 'setTimeout'],
  [globalThis, 'setInterval', 'setInterval'],
  [globalThis, 'setImmediate', 'setImmediate'],
  [globalThis, 'queueMicrotask', 'queueMicrotask'],
];

const restorers: (() => void)[] = [];
beforeAll(() => {
  for (const [owner, key, what] of PLATFORM) {
    const real = Reflect.get(owner, key) as (...args: unknown[]) => unknown;
    const trapped = function (this: unknown, ...args: unknown[]) {
      return world.closed ? reached(what) : real.apply(this, args);
    };
    Object.assign(trapped, real);
    Reflect.set(owner, key, trapped);
    restorers.push(() => Reflect.set(owner, key, real));
  }
  // `new Date(ms)` is a pure conversion; `new Date()` and Date.now() read the real clock.
  const RealDate = globalThis.Date;
  const realNow = RealDate.now;
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args: unknown[]) =>
      world.closed && args.length === 0 ? reached('new Date()') : Reflect.construct(target, args),
    get: (target, key) =>
      key === 'now'
        ? () => (world.closed ? reached('Date.now') : realNow())
        : Reflect.get(target, key, target),
  });
  restorers.push(() => {
    globalThis.Date = RealDate;
  });
});
afterAll(() => {
  for (const restore of restorers.splice(0)) restore();
});

/** Runs `f` with the platform's clock, randomness and timers trapped. */
const closedWorld = <T>(f: () => T): T => {
  world.closed = true;
  try {
    return f();
  } finally {
    world.closed = false;
  }
};

/** Values as the calls log shows them: buffers as hex, functions by name. */
const shownArgs = (args: readonly unknown[]): string =>
  JSON.stringify(args, (_, v: unknown) =>
    v instanceof Uint8Array
      ? Buffer.from(v).toString('hex')
      : typeof v === 'function'
        ? `[function]`
        : v,
  );

/**
 * The dependencies as handed in, each function wrapped to log its calls (name and arguments)
 * to `calls`: what a step asked of the outside world, compared between two runs of the step.
 */
const recorded = <D extends object>(deps: D, calls: string[]): D =>
  Object.fromEntries(
    Object.entries(deps).map(([name, value]) => [
      name,
      typeof value === 'function'
        ? (...args: unknown[]) => {
            calls.push(`${name}(${shownArgs(args)})`);
            return value(...args);
          }
        : value,
    ]),
  ) as D;

/** A state with its functions (a key pair's) left out, for comparing by value. */
const snapshot = (value: unknown): string => JSON.stringify(value);

/** An actor's logic built over recording dependencies, and the log they write to. */
interface Recorded<S> {
  readonly logic: ActorLogic<S, unknown>;
  readonly calls: string[];
}

/**
 * Walks the script from the start; at each state, the step twice over must agree on the next
 * state, the effects, and the calls it made to its dependencies, with the world closed.
 */
const checkDeterministic = <S extends { readonly phase: string }>(
  { logic, calls }: Recorded<S>,
  script: readonly Inbound[],
) => {
  let [state] = logic.start();
  for (const input of script) {
    calls.length = 0;
    const first = closedWorld(() => logic.step(state, input));
    const firstCalls = calls.splice(0);
    const second = closedWorld(() => logic.step(state, input));
    expect(snapshot(second[0])).toBe(snapshot(first[0]));
    expect(second[1]).toEqual(first[1]);
    expect(calls).toEqual(firstCalls);
    [state] = first;
  }
};

const asInput = (frame: Frame): Inbound => ({ kind: 'frame', frame });

const responderOf = (v: (typeof VECTORS)[number]): Recorded<ResponderState> => {
  const calls: string[] = [];
  const deps = recorded(responderDeps(v), calls);
  return { logic: responderLogic(responderConfig(v), deps), calls };
};

const initiatorOf = (v: (typeof VECTORS)[number]): Recorded<InitiatorState> => {
  const calls: string[] = [];
  return { logic: initiatorLogic(initiatorParams(v), recorded(initiatorDeps(v), calls)), calls };
};

describe.each(VECTORS.map((v) => [v.group, v] as const))('pure steps, %s', (_, v) => {
  const f = vectorFrames(v);
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

  it('the valid exchange, step by step, twice over: equal results, equal calls, no I/O', () => {
    const responder = responderOf(v);
    checkDeterministic(responder, toResponder);
    const initiator = initiatorOf(v);
    checkDeterministic(initiator, toInitiator);
  });

  it("a stranger's hello (answered as if known, with a made-up secret): equal results, no I/O", () => {
    const stranger = { ...(f.helloI as Extract<Frame, { type: 'hello' }>), from: 'mallory' };
    checkDeterministic(responderOf(v), [
      asInput(stranger as Frame),
      { kind: 'contact', secret: undefined },
      asInput(f.dhI),
      budget,
    ]);
  });

  it('the dependencies are what the steps use: the exchange asks for a nonce, a key pair and the time', () => {
    const responder = responderOf(v);
    const all: string[] = [];
    let [state] = responder.logic.start();
    for (const input of toResponder) {
      [state] = closedWorld(() => responder.logic.step(state, input));
      all.push(...responder.calls.splice(0));
    }
    expect(all.map((c) => c.slice(0, c.indexOf('(')))).toEqual(
      expect.arrayContaining(['keyPair', 'now']),
    );
  });

  it('any frame after any prefix of the exchange: equal results, equal calls, no I/O', () => {
    fc.assert(
      fc.property(fc.nat(8), anyFrame, (n, frame) => {
        checkDeterministic(responderOf(v), [...toResponder.slice(0, n), asInput(frame)]);
        checkDeterministic(initiatorOf(v), [...toInitiator.slice(0, n), asInput(frame)]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the traps fire', () => {
  const v = VECTORS[0]!;
  const toResponder = [asInput(vectorFrames(v).helloI)];
  /** The responder, with `leak` run inside every step. */
  const leaking = (leak: (calls: string[]) => void): Recorded<ResponderState> => {
    const { logic, calls } = responderOf(v);
    return {
      calls,
      logic: {
        start: logic.start,
        step: (state, input) => {
          leak(calls);
          return logic.step(state, input);
        },
      },
    };
  };

  it.each([
    ['Date.now', () => Date.now()],
    ['new Date()', () => new Date()],
    ['Math.random', () => Math.random()],
    ['performance.now', () => performance.now()],
    ['setTimeout', () => setTimeout(() => {}, 1)],
    ['crypto.getRandomValues', () => globalThis.crypto.getRandomValues(new Uint8Array(4))],
  ])('a step that calls %s', (what, leak) => {
    expect(() => checkDeterministic(leaking(leak), toResponder)).toThrow(
      `a step reached for ${what}`,
    );
  });

  it("a step that calls node:crypto's randomBytes itself", async () => {
    const { randomBytes } = await import('node:crypto');
    expect(() =>
      checkDeterministic(
        leaking(() => randomBytes(16)),
        toResponder,
      ),
    ).toThrow('a step reached for node:crypto randomBytes');
  });

  it('a step whose use of its dependencies differs from one run to the next', () => {
    let runs = 0;
    // As a step that drew a nonce only now and then would: the calls differ.
    const flaky = leaking((calls) => {
      runs += 1;
      if (runs % 2 === 0) calls.push('randomBytes([16])');
    });
    expect(() => checkDeterministic(flaky, toResponder)).toThrow();
  });
});

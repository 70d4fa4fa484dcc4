/**
 * The ack follows what the reader got: the responder hands a verified message to the node's
 * delivery sink and acknowledges it only once the sink has confirmed, and the id is recorded
 * only then. A sink that fails, or has not confirmed by the step's deadline, means no ack
 * (the sender keeps the message) and no record (its retry is shown).
 * Inbound: h hello, d dh, a auth, m message. Effects: H D A our replies, K the ack, e an
 * error frame, r the event, x the close.
 */
import { filter, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DriverOptions, runActor as runDriver } from '../../src/actors/driver.js';
import type { ReceivedMessage, ResponderEvent } from '../../src/actors/responder.js';
import { responderLogic } from '../../src/actors/responder.js';
import {
  type ActorLogic,
  type Effect,
  type Failure,
  type Inbound,
  isReport,
} from '../../src/actors/types.js';
import {
  answerFrom,
  createDedupeMemory,
  type DedupeMemory,
  type DeliverySink,
  dedupeKey,
} from '../../src/node/dedupe.js';
import { responderConfig, responderDeps, vectorFrames, vectorLookup } from '../support/actors.js';
import { marbles } from '../support/marbles.js';
import { answer, CLOSE, emit, frame, rejected, send } from '../support/scripted.js';
import { VECTORS } from '../support/vectors.js';

const DEADLINE = 20;
const ALLOWED: Inbound = { kind: 'budget', allowed: true };

/**
 * The driver, with the node's other answers given as the interpreter gives them (the contact
 * looked up, every budget allowed) and its reports left out: these tests are about `deliver`.
 */
const runActor = <S extends { readonly phase: string }, Ev>(
  logic: ActorLogic<S, Ev>,
  inbound$: Observable<Inbound>,
  options: DriverOptions<Ev>,
): Observable<Effect<Ev>> =>
  runDriver(logic, inbound$, {
    ...options,
    answer: (effect) => {
      if (effect.kind === 'lookup') return vectorLookup(VECTORS[0]!)(effect.username);
      if (effect.kind === 'may_guess') return ALLOWED;
      return options.answer?.(effect);
    },
  }).pipe(filter((effect) => !isReport(effect)));
const NOT_SHOWN = 'the message could not be shown here; it was not accepted, try again later';

describe.each(VECTORS.map((v) => [v.group, v] as const))('delivery before the ack, %s', (_, v) => {
  const f = vectorFrames(v);
  const inbound = { h: frame(f.helloI), d: frame(f.dhI), a: frame(f.authI), m: frame(f.message) };
  const replies = { H: send(f.helloR), D: send(f.dhR), A: send(f.authR), K: send(f.ack) };
  const msgId = v.message_frame.header.msg_id;
  const key = dedupeKey('alice', msgId);
  const message: ReceivedMessage = {
    from: 'alice',
    to: 'bob',
    text: v.plaintext,
    msgId,
    timestamp: v.message_frame.header.timestamp,
    clockSkewMs: 0,
  };
  const received = emit<ResponderEvent>({ kind: 'received', message });
  const rejection = (failure: Failure) =>
    emit<ResponderEvent>({
      kind: 'rejected',
      failure,
      step: 'recording',
      peer: 'alice',
      stranger: false,
    });

  /** The responder over the scripted peer, its `deliver` answered with `sink`. */
  const run = (
    sink: DeliverySink,
    expected: string,
    more: Record<string, unknown> = {},
    {
      memory = createDedupeMemory(),
      told = [] as unknown[],
    }: { memory?: DedupeMemory; told?: unknown[] } = {},
  ) =>
    marbles((scheduler, { cold, expectObservable }) => {
      const effects$ = runActor(
        responderLogic(responderConfig(v), responderDeps(v)),
        cold('-h-d-a-m', inbound),
        {
          scheduler,
          stepDeadlineMs: DEADLINE,
          answer: answerFrom(memory, { deliver: sink, onFailure: (err) => told.push(err) }),
        },
      );
      expectObservable(effects$).toBe(expected, { ...replies, x: CLOSE, ...more });
    });

  it('acks only once the sink has confirmed, and records the id only then', () => {
    const memory = createDedupeMemory();
    const recordedWhenHandedOver: boolean[] = [];
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      const confirmed$ = cold('---|');
      const sink: DeliverySink = (m) => {
        expect(m).toEqual(message);
        recordedWhenHandedOver.push(memory.has(key, 0));
        return confirmed$;
      };
      const effects$ = runActor(
        responderLogic(responderConfig(v), responderDeps(v)),
        cold('-h-d-a-m', inbound),
        { scheduler, stepDeadlineMs: DEADLINE, answer: answerFrom(memory, { deliver: sink }) },
      );
      // The message at 7, the sink's confirmation at 10: the ack waits for it.
      expectObservable(effects$).toBe('-H-D-A----(rKx|)', {
        ...replies,
        r: received,
        x: CLOSE,
      });
      expectSubscriptions(confirmed$.subscriptions).toBe('-------^--!');
    });
    expect(recordedWhenHandedOver).toEqual([false]);
    expect(memory.has(key, 0)).toBe(true);
  });

  it('no ack while the sink has not confirmed: at the deadline, a timeout and no record', () => {
    const memory = createDedupeMemory();
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      const pending$ = cold('-');
      const effects$ = runActor(
        responderLogic(responderConfig(v), responderDeps(v)),
        cold('-h-d-a-m', inbound),
        {
          scheduler,
          stepDeadlineMs: DEADLINE,
          answer: answerFrom(memory, { deliver: () => pending$ }),
        },
      );
      expectObservable(effects$).toBe(`-H-D-A-${'-'.repeat(DEADLINE)}(erx|)`, {
        ...replies,
        e: answer('timeout', 'no frame within the step deadline'),
        r: rejection({ cause: 'timeout' }),
        x: CLOSE,
      });
      // Waiting for it ends with the actor.
      expectSubscriptions(pending$.subscriptions).toBe(`-------^${'-'.repeat(DEADLINE - 1)}!`);
    });
    expect(memory.has(key, 0)).toBe(false);
  });

  it('a peer gone while the sink has not confirmed: no ack, the wait ends with the actor', () => {
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      const pending$ = cold('-');
      const effects$ = runActor(
        responderLogic(responderConfig(v), responderDeps(v)),
        cold('-h-d-a-m--|', inbound),
        {
          scheduler,
          stepDeadlineMs: DEADLINE,
          answer: answerFrom(createDedupeMemory(), { deliver: () => pending$ }),
        },
      );
      expectObservable(effects$).toBe('-H-D-A----(rx|)', {
        ...replies,
        r: rejection({ cause: 'closed' }),
        x: CLOSE,
      });
      expectSubscriptions(pending$.subscriptions).toBe('-------^--!');
    });
  });

  it('a sink that fails (EPIPE) means an internal error frame, no ack, no record; it is told', () => {
    const memory = createDedupeMemory();
    const told: unknown[] = [];
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    marbles((scheduler, { cold, expectObservable }) => {
      const failing$: Observable<never> = cold('--#', undefined, epipe);
      const effects$ = runActor(
        responderLogic(responderConfig(v), responderDeps(v)),
        cold('-h-d-a-m', inbound),
        {
          scheduler,
          stepDeadlineMs: DEADLINE,
          answer: answerFrom(memory, { deliver: () => failing$, onFailure: (e) => told.push(e) }),
        },
      );
      expectObservable(effects$).toBe('-H-D-A---(erx|)', {
        ...replies,
        e: answer('internal', NOT_SHOWN),
        r: rejection(rejected('internal', NOT_SHOWN)),
        x: CLOSE,
      });
    });
    expect(memory.has(key, 0)).toBe(false);
    expect(told.map((e) => (e as Error).message)).toEqual([
      `a message from alice (msg_id ${msgId}) could not be handed over (write EPIPE); it was ` +
        'not acknowledged, so its sender keeps it and tries again',
    ]);
  });

  it('a sink that throws (a full disk) is the same: no ack, no record', () => {
    const memory = createDedupeMemory();
    const sink: DeliverySink = () => {
      throw new Error('ENOSPC: no space left on device');
    };
    run(
      sink,
      '-H-D-A-(erx|)',
      { e: answer('internal', NOT_SHOWN), r: rejection(rejected('internal', NOT_SHOWN)) },
      { memory },
    );
    expect(memory.has(key, 0)).toBe(false);
  });

  it('the retry after a failed sink is handed over again and acked; a later one is a duplicate, not handed over', () => {
    const memory = createDedupeMemory();
    let handed = 0;
    let fail = true;
    const sink: DeliverySink = () => {
      handed += 1;
      if (fail) throw new Error('write EPIPE');
      return Promise.resolve();
    };
    const failed = {
      e: answer('internal', NOT_SHOWN),
      r: rejection(rejected('internal', NOT_SHOWN)),
    };
    run(sink, '-H-D-A-(erx|)', failed, { memory });
    fail = false;
    // A returned Promise confirms in a microtask, outside virtual time: done synchronously
    // here, the sink returns nothing (delivered at once).
    const atOnce: DeliverySink = (m) => void sink(m);
    run(atOnce, '-H-D-A-(rKx|)', { r: received }, { memory });
    const duplicate = emit<ResponderEvent>({ kind: 'duplicate', from: 'alice', msgId });
    run(atOnce, '-H-D-A-(rKx|)', { r: duplicate }, { memory });
    expect(handed).toBe(2);
  });

  it('the same message on a second connection while the first is being shown is not acked', () => {
    const memory = createDedupeMemory();
    const deliver = answerFrom(memory, { deliver: () => new Promise<void>(() => {}) });
    const effect = {
      kind: 'deliver',
      sender: 'alice',
      msgId,
      atMs: 0,
      message,
    } as const;
    const answers: unknown[] = [];
    const first = (deliver(effect as never) as Observable<unknown>).subscribe((a) =>
      answers.push(a),
    );
    const second = (deliver(effect as never) as Observable<unknown>).subscribe((a) =>
      answers.push(a),
    );
    expect(answers).toEqual([
      {
        kind: 'invalid',
        error: {
          code: 'internal',
          message: 'the same message is being shown here already; try again later',
        },
      },
    ]);
    first.unsubscribe();
    second.unsubscribe();
    expect(memory.has(key, 0)).toBe(false);
  });
});

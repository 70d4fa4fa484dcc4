/**
 * The driver's mailbox, over a synchronous loopback link: each frame one actor writes reaches
 * the other at once, inside the writer's own step, as on an in-memory transport. An input
 * that arrives while a step's effects are still going out must wait its turn, not re-enter
 * the step, and must not be lost — not even the answer to the very first frame, which
 * arrives before the initiator has finished starting.
 */
import { ReplaySubject, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { runActor } from '../../src/actors/driver.js';
import { type InitiatorEvent, initiatorLogic } from '../../src/actors/initiator.js';
import { type ResponderEvent, responderLogic } from '../../src/actors/responder.js';
import { type Effect, type Inbound, isReport } from '../../src/actors/types.js';
import {
  initiatorDeps,
  initiatorParams,
  responderAnswers,
  responderConfig,
  responderDeps,
} from '../support/actors.js';
import { marbles } from '../support/marbles.js';
import { VECTORS } from '../support/vectors.js';

type Seen = string;

describe.each(VECTORS.map((v) => [v.group, v] as const))('a synchronous link, %s', (_, v) => {
  it('delivers in lock-step in one virtual instant: every effect in order, none lost', () => {
    marbles((scheduler, { expectObservable }) => {
      const toInitiator = new Subject<Inbound>();
      const toResponder = new Subject<Inbound>();
      const log: Seen[] = [];
      const events = {
        initiator: new ReplaySubject<InitiatorEvent['kind']>(),
        responder: new ReplaySubject<ResponderEvent['kind']>(),
      };
      /** Carries one side's effects to the other side at once, and logs them in order. */
      const wire =
        <Ev extends { kind: string }>(
          side: string,
          inbox: Subject<Inbound>,
          events$: Subject<Ev['kind']>,
        ) =>
        (effect: Effect<Ev>) => {
          if (isReport(effect)) return; // the node's business, not the wire's
          log.push(`${side} ${effect.kind === 'send' ? effect.frame.type : effect.kind}`);
          if (effect.kind === 'send') inbox.next({ kind: 'frame', frame: effect.frame });
          if (effect.kind === 'emit') events$.next(effect.event.kind);
          if (effect.kind === 'close') inbox.complete();
        };
      const options = { scheduler, stepDeadlineMs: 1_000 };
      runActor(responderLogic(responderConfig(v), responderDeps(v)), toResponder, {
        ...options,
        answer: responderAnswers(v),
      }).subscribe(wire('R', toInitiator, events.responder));
      runActor(
        initiatorLogic(initiatorParams(v), initiatorDeps(v)),
        toInitiator,
        options,
      ).subscribe(wire('I', toResponder, events.initiator));
      events.initiator.complete();
      events.responder.complete();
      // All of it happens at virtual time 0: no hop is delayed, no deadline is reached.
      expectObservable(events.initiator).toBe('(d|)', { d: 'delivered' });
      expectObservable(events.responder).toBe('(r|)', { r: 'received' });
      scheduler.flush();
      expect(log).toEqual([
        'I hello',
        'R hello',
        'I dh',
        'R dh',
        'I auth',
        'R auth',
        'I message',
        'R emit',
        'R ack',
        // The ack reached the initiator during its own step: it waited for that step's end.
        'R close',
        'I emit',
        'I close',
      ]);
    });
  });
});

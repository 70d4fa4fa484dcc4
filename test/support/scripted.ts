/**
 * One actor facing a scripted peer: the peer's frames as a marble diagram in, the actor's
 * effects out, also as a diagram. Letters stand for frames and effects; see `script`.
 */
import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { runActor } from '../../src/actors/driver.js';
import {
  type InitiatorEvent,
  type InitiatorParams,
  initiatorLogic,
} from '../../src/actors/initiator.js';
import {
  type ResponderDeps,
  type ResponderEvent,
  responderLogic,
} from '../../src/actors/responder.js';
import type { ActorDeps, Effect, Failure, Inbound } from '../../src/actors/types.js';
import type { ErrorCode, ProtocolError } from '../../src/codecs/errors.js';
import { errorFrame, type Frame } from '../../src/codecs/frames.js';
import { answerFrom, createDedupeMemory, type DedupeMemory } from '../../src/node/dedupe.js';
import { initiatorDeps, initiatorParams, responderConfig, responderDeps } from './actors.js';
import type { VectorCase } from './vectors.js';

export const frame = (f: Frame | Record<string, unknown>): Inbound => ({
  kind: 'frame',
  frame: f as Frame,
});
export const invalid = (error: ProtocolError): Inbound => ({ kind: 'invalid', error });

export const send = (f: Frame | Record<string, unknown>): Effect<never> => ({
  kind: 'send',
  frame: f as Frame,
});
export const emit = <Ev>(event: Ev): Effect<Ev> => ({ kind: 'emit', event });
export const CLOSE: Effect<never> = { kind: 'close' };
export const answer = (code: ErrorCode, message: string) => send(errorFrame(code, message));

export const rejected = (code: ErrorCode, message: string): Failure => ({
  cause: 'rejected',
  code,
  message,
});

interface Run {
  readonly scheduler: TestScheduler;
  readonly stepDeadlineMs?: number;
}

export const responderEffects$ = (
  v: VectorCase,
  inbound$: Observable<Inbound>,
  {
    scheduler,
    stepDeadlineMs,
    deps = responderDeps(v),
    dedupe = createDedupeMemory(),
  }: Run & { deps?: ResponderDeps; dedupe?: DedupeMemory },
): Observable<Effect<ResponderEvent>> =>
  runActor(responderLogic(responderConfig(v), deps), inbound$, {
    scheduler,
    stepDeadlineMs,
    answer: answerFrom(dedupe),
  });

export const initiatorEffects$ = (
  v: VectorCase,
  inbound$: Observable<Inbound>,
  {
    scheduler,
    stepDeadlineMs,
    params = initiatorParams(v),
    deps = initiatorDeps(v),
  }: Run & { params?: InitiatorParams; deps?: ActorDeps },
): Observable<Effect<InitiatorEvent>> =>
  runActor(initiatorLogic(params, deps), inbound$, { scheduler, stepDeadlineMs });

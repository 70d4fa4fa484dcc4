/**
 * One actor facing a scripted peer: the peer's frames as a marble diagram in, the actor's
 * effects out, also as a diagram. Letters stand for frames and effects; see `script`.
 */
import { filter, type Observable } from 'rxjs';
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
import {
  type ActorDeps,
  type Effect,
  type Failure,
  type Inbound,
  isReport,
} from '../../src/actors/types.js';
import type { ErrorCode, ProtocolError } from '../../src/codecs/errors.js';
import { errorFrame, type Frame } from '../../src/codecs/frames.js';
import { createDedupeMemory, type DedupeMemory } from '../../src/node/dedupe.js';
import {
  initiatorDeps,
  initiatorParams,
  type Lookup,
  responderAnswers,
  responderConfig,
  responderDeps,
} from './actors.js';
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
    lookup,
    allowed,
    reports = false,
  }: Run & {
    deps?: ResponderDeps;
    dedupe?: DedupeMemory;
    lookup?: Lookup;
    allowed?: () => boolean;
    /** Keep the reports for the node (claimed, authenticated, guess) among the effects. */
    reports?: boolean;
  },
): Observable<Effect<ResponderEvent>> => {
  const effects$ = runActor(responderLogic(responderConfig(v), deps), inbound$, {
    scheduler,
    stepDeadlineMs,
    answer: responderAnswers(v, { dedupe, lookup, allowed }),
  });
  return reports ? effects$ : effects$.pipe(filter((e) => !isReport(e)));
};

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

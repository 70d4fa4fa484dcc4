/**
 * Lifts a pure actor into RxJS: inbound events in, effects out, with a deadline on every step
 * driven by the scheduler (so virtual time tests it). The driver touches no socket either;
 * the node carries the effects out.
 */
import {
  asyncScheduler,
  concat,
  concatMap,
  from,
  type Observable,
  of,
  type SchedulerLike,
  scan,
  startWith,
  takeWhile,
  timeout,
} from 'rxjs';
import { DEFAULT_STEP_DEADLINE_MS } from '../limits.js';
import type { Effect, Inbound, Transition } from './types.js';

export interface DriverOptions {
  /** How long each step may wait for the peer's next frame. */
  readonly stepDeadlineMs?: number;
  readonly scheduler?: SchedulerLike;
}

const END: Inbound = { kind: 'end' };
const TIMEOUT: Inbound = { kind: 'timeout' };

/**
 * Runs one actor over one connection. `inbound$` completing means the peer closed; the output
 * completes once the actor has closed, which unsubscribes from `inbound$`.
 */
export const runActor = <State extends { readonly phase: string }, Event>(
  start: Transition<State, Event>,
  step: (state: State, input: Inbound) => Transition<State, Event>,
  inbound$: Observable<Inbound>,
  { stepDeadlineMs = DEFAULT_STEP_DEADLINE_MS, scheduler = asyncScheduler }: DriverOptions = {},
): Observable<Effect<Event>> => {
  const inputs$ = concat(inbound$, of(END)).pipe(
    // The clock restarts at every input: each step has its own deadline.
    timeout({ each: stepDeadlineMs, with: () => of(TIMEOUT), scheduler }),
  );
  return inputs$.pipe(
    scan(([state], input) => step(state, input), start),
    startWith(start),
    takeWhile(([state]) => state.phase !== 'closed', true),
    concatMap(([, effects]) => from(effects)),
  );
};

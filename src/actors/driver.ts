/**
 * Lifts a pure actor into RxJS: inbound events in, effects out, with a deadline on every step
 * driven by the scheduler (so virtual time tests it). The driver touches no socket either;
 * the node carries the effects out.
 *
 * It is one hand-written Observable rather than a chain of operators (scan, timeout,
 * takeWhile, …) because it runs once per connection: a node holding a thousand connections
 * holds a thousand of these, and each operator costs a subscriber and closures.
 */
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
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
 * Runs one actor over one connection. `inbound$` completing (or failing) means the peer is
 * gone; the output completes once the actor has closed, which unsubscribes from `inbound$`.
 */
export const runActor = <State extends { readonly phase: string }, Event>(
  start: Transition<State, Event>,
  step: (state: State, input: Inbound) => Transition<State, Event>,
  inbound$: Observable<Inbound>,
  { stepDeadlineMs = DEFAULT_STEP_DEADLINE_MS, scheduler = asyncScheduler }: DriverOptions = {},
): Observable<Effect<Event>> =>
  new Observable<Effect<Event>>((subscriber) => {
    let [state] = start;
    let deadline: Subscription | undefined;
    let inputs: Subscription | undefined;

    const perform = (effects: readonly Effect<Event>[]) => {
      for (const effect of effects) subscriber.next(effect);
      if (state.phase === 'closed') {
        deadline?.unsubscribe();
        inputs?.unsubscribe();
        subscriber.complete();
      } else {
        // The clock restarts at every input: each step has its own deadline.
        deadline?.unsubscribe();
        deadline = scheduler.schedule(() => feed(TIMEOUT), stepDeadlineMs);
      }
    };

    const feed = (input: Inbound) => {
      if (state.phase === 'closed') return;
      try {
        const [next, effects] = step(state, input);
        state = next;
        perform(effects);
      } catch (err) {
        // A step that throws is a bug; it becomes this connection's error, for the caller to
        // contain, instead of an exception thrown out of a socket's event handler.
        deadline?.unsubscribe();
        inputs?.unsubscribe();
        subscriber.error(err);
      }
    };

    perform(start[1]);
    if (state.phase !== 'closed') {
      inputs = inbound$.subscribe({
        next: feed,
        error: () => feed(END),
        complete: () => feed(END),
      });
      // Inputs delivered during subscribe may already have closed the actor.
      if (state.phase === 'closed') inputs.unsubscribe();
    }
    return () => {
      deadline?.unsubscribe();
      inputs?.unsubscribe();
    };
  });

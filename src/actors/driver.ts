/**
 * Lifts a pure actor into RxJS: inbound events in, effects out, with a deadline on every step
 * driven by the scheduler (so virtual time tests it). The driver touches no socket either;
 * the node carries the effects out.
 *
 * Inputs go through a mailbox, as xstate's actors do: an input that arrives while the effects
 * of a step are still being emitted (a synchronous transport, an answer to a `remember`
 * effect) waits its turn, so effects never interleave and none is lost after a close.
 *
 * It is one hand-written Observable rather than a chain of operators (scan, timeout,
 * takeWhile, …) because it runs once per connection: a node holding a thousand connections
 * holds a thousand of these, and each operator costs a subscriber and closures.
 */
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { DEFAULT_STEP_DEADLINE_MS } from '../limits.js';
import type { ActorLogic, Effect, Inbound } from './types.js';

export interface DriverOptions<Event> {
  /** How long each step may wait for the peer's next frame. */
  readonly stepDeadlineMs?: number;
  /** How long the first input may take (a silent newcomer is let go sooner); default: the step's. */
  readonly firstStepDeadlineMs?: number;
  readonly scheduler?: SchedulerLike;
  /**
   * Sees every effect first. An effect it answers (a `remember`) is carried out here: its
   * answer joins the mailbox and the effect is not passed on; any other is passed on. This is
   * where the node's I/O meets the actor (and where the defences watch it). Without it, a
   * `remember` is passed on unanswered and the responder waits until its deadline.
   */
  readonly answer?: (effect: Effect<Event>) => Inbound | undefined;
  /** Sees every input before the step: a defence may replace it (an `invalid` verdict). */
  readonly screen?: (input: Inbound) => Inbound;
}

const END: Inbound = { kind: 'end' };
const TIMEOUT: Inbound = { kind: 'timeout' };

/**
 * Runs one actor over one connection. `inbound$` completing (or failing) means the peer is
 * gone; the output completes once the actor has closed, which unsubscribes from `inbound$`.
 */
export const runActor = <State extends { readonly phase: string }, Event>(
  logic: ActorLogic<State, Event>,
  inbound$: Observable<Inbound>,
  {
    stepDeadlineMs = DEFAULT_STEP_DEADLINE_MS,
    firstStepDeadlineMs = stepDeadlineMs,
    scheduler = asyncScheduler,
    answer,
    screen,
  }: DriverOptions<Event> = {},
): Observable<Effect<Event>> =>
  new Observable<Effect<Event>>((subscriber) => {
    // Started here, once per run: building the logic drew nothing.
    const [initial, firstEffects] = logic.start();
    let state = initial;
    const mailbox: Inbound[] = [];
    let draining = false;
    /** Closed, or failed: no input is taken any more. */
    let finished = false;
    /** Whether any input has been taken (the first step may have a deadline of its own). */
    let stepped = false;
    let deadline: Subscription | undefined;
    let inputs: Subscription | undefined;
    const stop = () => {
      deadline?.unsubscribe();
      inputs?.unsubscribe();
    };

    const perform = (effects: readonly Effect<Event>[]) => {
      // Answers go before frames that arrived early: they answer the step that just ran.
      let answered = 0;
      for (const effect of effects) {
        const reply = answer?.(effect);
        // An answered effect was a question for the node (a `remember`): carried out here.
        if (reply === undefined) subscriber.next(effect);
        else mailbox.splice(answered++, 0, reply);
      }
      if (state.phase === 'closed') {
        finished = true;
        stop();
        subscriber.complete();
      } else {
        // The clock restarts at every input: each step has its own deadline.
        deadline?.unsubscribe();
        const wait = stepped ? stepDeadlineMs : firstStepDeadlineMs;
        deadline = scheduler.schedule(() => deliver(TIMEOUT), wait);
      }
    };

    const drain = () => {
      draining = true;
      try {
        while (mailbox.length > 0 && !finished) {
          const input = mailbox.shift() as Inbound;
          const [next, effects] = logic.step(state, screen ? screen(input) : input);
          state = next;
          stepped = true;
          perform(effects);
        }
      } catch (err) {
        // A step that throws is a bug; it becomes this connection's error, for the caller to
        // contain, instead of an exception thrown out of a socket's event handler.
        finished = true;
        stop();
        subscriber.error(err);
      } finally {
        draining = false;
        mailbox.length = 0;
      }
    };

    const deliver = (input: Inbound) => {
      if (finished) return;
      mailbox.push(input);
      if (!draining) drain();
    };

    // Subscribed before the first effects go out: on a synchronous transport the peer's
    // answer to them arrives at once, and waits in the mailbox instead of being lost.
    draining = true;
    try {
      inputs = inbound$.subscribe({
        next: deliver,
        error: () => deliver(END),
        complete: () => deliver(END),
      });
      perform(firstEffects);
    } finally {
      draining = false;
    }
    if (finished) inputs.unsubscribe();
    else drain();
    return stop;
  });

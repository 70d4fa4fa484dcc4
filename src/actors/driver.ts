/**
 * Lifts a pure actor into RxJS: inbound events in, effects out, with a deadline on every step
 * driven by the scheduler (so virtual time tests it). The driver touches no socket either;
 * the node carries the effects out.
 *
 * Inputs go through a mailbox, as xstate's actors do: an input that arrives while the effects
 * of a step are still being emitted (a synchronous transport, an answer to a `deliver`
 * effect) waits its turn, so effects never interleave and none is lost after a close. An
 * answer may also come later (a reader confirming a write): it joins the mailbox then, under
 * the step's deadline, and waiting for it ends with the actor.
 *
 * It is one hand-written Observable rather than a chain of operators (scan, timeout,
 * takeWhile, …) because it runs once per connection: a node holding a thousand connections
 * holds a thousand of these, and each operator costs a subscriber and closures.
 */
import { asyncScheduler, isObservable, Observable, type SchedulerLike, Subscription } from 'rxjs';
import { DEFAULT_STEP_DEADLINE_MS } from '../limits.js';
import type { ActorLogic, Effect, Inbound } from './types.js';

export interface DriverOptions<Event> {
  /** How long each step may wait for the peer's next frame. */
  readonly stepDeadlineMs?: number;
  /** How long the first input may take (a silent newcomer is let go sooner); default: the step's. */
  readonly firstStepDeadlineMs?: number;
  readonly scheduler?: SchedulerLike;
  /**
   * Sees every effect first. An effect it answers (a `deliver`) is carried out here: its
   * answer joins the mailbox and the effect is not passed on; any other is passed on. An
   * answer that takes time is an Observable: subscribed at once, each input it gives joins
   * the mailbox when it comes, and it is unsubscribed when the actor ends (a deadline, the
   * peer gone). This is where the node's I/O meets the actor (and where the defences watch
   * it). Without it, a `deliver` is passed on unanswered and the responder waits until its
   * deadline.
   */
  readonly answer?: (effect: Effect<Event>) => Answer;
  /** Sees every input before the step: a defence may replace it (an `invalid` verdict). */
  readonly screen?: (input: Inbound) => Inbound;
}

/** What `answer` gives back: nothing (pass the effect on), an input now, or inputs later. */
export type Answer = Inbound | Observable<Inbound> | undefined;

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
    /** Answers still to come (a sink's confirmation): they end with the actor. */
    let later: Subscription | undefined;
    const stop = () => {
      deadline?.unsubscribe();
      inputs?.unsubscribe();
      later?.unsubscribe();
    };
    const fail = (err: unknown) => {
      finished = true;
      stop();
      subscriber.error(err);
    };

    const perform = (effects: readonly Effect<Event>[]) => {
      // Answers go before frames that arrived early: they answer the step that just ran.
      let answered = 0;
      for (const effect of effects) {
        const reply = answer?.(effect);
        // An answered effect was a question for the node (a `deliver`): carried out here.
        if (reply === undefined) subscriber.next(effect);
        else if (isObservable(reply)) {
          later ??= new Subscription();
          later.add(reply.subscribe({ next: deliver, error: fail }));
        } else mailbox.splice(answered++, 0, reply);
      }
      if (finished) return; // an answer failed at once: the actor has ended
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
        fail(err);
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

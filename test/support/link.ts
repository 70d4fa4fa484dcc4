/**
 * Two actors wired back to back in memory, each frame serialised to its wire line and decoded
 * again on the other side, one virtual millisecond per hop. A tamper function may change any
 * frame in flight, as an attacker on the path would.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  delay,
  filter,
  map,
  type Observable,
  ReplaySubject,
  type SchedulerLike,
  Subject,
} from 'rxjs';
import { runActor } from '../../src/actors/driver.js';
import {
  type InitiatorEvent,
  type InitiatorParams,
  initiatorLogic,
} from '../../src/actors/initiator.js';
import {
  type ResponderConfig,
  type ResponderDeps,
  type ResponderEvent,
  responderLogic,
} from '../../src/actors/responder.js';
import type { ActorDeps, Effect, Inbound } from '../../src/actors/types.js';
import type { Frame } from '../../src/codecs/frames.js';
import { decodeLine, encodeFrame } from '../../src/codecs/line.js';
import { createDedupeMemory, type DedupeMemory } from '../../src/node/dedupe.js';
import { type Lookup, responderAnswer } from './actors.js';

export type Direction = 'toResponder' | 'toInitiator';
/** Rewrites a frame in flight (as a plain JSON object); return it unchanged to pass it on. */
export type Tamper = (
  frame: Record<string, unknown>,
  direction: Direction,
) => Record<string, unknown>;

export interface LinkSpec {
  readonly scheduler: SchedulerLike;
  readonly initiator: { readonly params: InitiatorParams; readonly deps: ActorDeps };
  readonly responder: {
    readonly config: ResponderConfig;
    readonly deps: ResponderDeps;
    readonly dedupe?: DedupeMemory;
    /** The directory the responder's node answers its `lookup` from. */
    readonly lookup: Lookup;
  };
  readonly tamper?: Tamper;
  readonly stepDeadlineMs?: number;
}

export interface Link {
  /** The frames as the responder receives them (after tampering and decoding). */
  readonly toResponder$: Observable<Frame>;
  readonly toInitiator$: Observable<Frame>;
  readonly initiatorEvents$: Observable<InitiatorEvent>;
  readonly responderEvents$: Observable<ResponderEvent>;
}

const onTheWire = (frame: Frame, direction: Direction, tamper: Tamper): Inbound => {
  const line = encodeFrame(tamper(JSON.parse(encodeFrame(frame)), direction) as Frame);
  const decoded = decodeLine(line.slice(0, -1));
  return E.isRight(decoded)
    ? { kind: 'frame', frame: decoded.right }
    : { kind: 'invalid', error: decoded.left };
};

export const link = ({
  scheduler,
  initiator,
  responder,
  tamper = (f) => f,
  stepDeadlineMs,
}: LinkSpec): Link => {
  const toInitiator = new Subject<Inbound>();
  const toResponder = new Subject<Inbound>();
  const seen = { toResponder: new ReplaySubject<Frame>(), toInitiator: new ReplaySubject<Frame>() };
  const initiatorEvents = new ReplaySubject<InitiatorEvent>();
  const responderEvents = new ReplaySubject<ResponderEvent>();
  const options = { scheduler, stepDeadlineMs };

  const carry = <Ev>(
    effects$: Observable<Effect<Ev>>,
    direction: Direction,
    inbox: Subject<Inbound>,
    events: Subject<Ev>,
  ) => {
    effects$.subscribe({
      next: (effect) => {
        if (effect.kind === 'emit') events.next(effect.event);
      },
      complete: () => events.complete(),
    });
    effects$
      .pipe(
        filter(
          (e): e is Extract<Effect<Ev>, { kind: 'send' | 'close' }> =>
            e.kind === 'send' || e.kind === 'close',
        ),
        map((e) => (e.kind === 'send' ? onTheWire(e.frame, direction, tamper) : null)),
        delay(1, scheduler),
      )
      .subscribe((input) => {
        if (input === null) {
          inbox.complete(); // our close reaches the peer as the end of its connection
          seen[direction].complete();
          return;
        }
        if (input.kind === 'frame') seen[direction].next(input.frame);
        inbox.next(input);
      });
  };

  const iEffects$ = runActor(
    initiatorLogic(initiator.params, initiator.deps),
    toInitiator,
    options,
  );
  const rEffects$ = runActor(responderLogic(responder.config, responder.deps), toResponder, {
    ...options,
    answer: responderAnswer(responder.dedupe ?? createDedupeMemory(), responder.lookup),
  });
  // One subscription each, shared by the event and wire taps.
  const iShared = new Subject<Effect<InitiatorEvent>>();
  const rShared = new Subject<Effect<ResponderEvent>>();
  carry(iShared, 'toResponder', toResponder, initiatorEvents);
  carry(rShared, 'toInitiator', toInitiator, responderEvents);
  rEffects$.subscribe(rShared);
  iEffects$.subscribe(iShared);

  return {
    toResponder$: seen.toResponder,
    toInitiator$: seen.toInitiator,
    initiatorEvents$: initiatorEvents,
    responderEvents$: responderEvents,
  };
};

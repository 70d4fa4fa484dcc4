/**
 * The two parley-invite/1 actors for marble tests: deterministic dependencies from the vector
 * (test/fixtures/invite-v1.json), a fake desk that plays the node's answers, and the actors'
 * effects carried out by the real `carryOut` on a fake socket, so that a test sees the writes
 * exactly as the peer would (the frames of one flight in one write), in virtual time.
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { delay, EMPTY, Observable, of, type SchedulerLike, Subject } from 'rxjs';
import { type Answer, runActor } from '../../src/actors/driver.js';
import { type IncomingEvent, incomingLogic } from '../../src/actors/incoming.js';
import type { JoinerEvent, JoinerParams } from '../../src/actors/invite-joiner.js';
import { joinerLogic } from '../../src/actors/invite-joiner.js';
import type { ResponderConfig } from '../../src/actors/responder-state.js';
import type { ActorDeps, ActorLogic, Effect, Inbound } from '../../src/actors/types.js';
import { GROUPS, mint, Username } from '../../src/codecs/formats.js';
import type { Frame } from '../../src/codecs/frames.js';
import { decodeLine, encodeFrame } from '../../src/codecs/line.js';
import { createKeyPair } from '../../src/crypto/dh.js';
import type { Connection } from '../../src/ports/ports.js';
import { carryOut } from '../../src/streams/session.js';
import type { computeInviteVector } from './invite-vector.js';

export type InviteVector = ReturnType<typeof computeInviteVector>;

export const INVITE: InviteVector = JSON.parse(
  readFileSync(new URL('../fixtures/invite-v1.json', import.meta.url), 'utf8'),
);
export const LINES = INVITE.lines;
export type LineName = keyof InviteVector['lines'];

/** A vector line as the frame it decodes to. */
export const vectorFrame = (name: LineName): Frame => {
  const decoded = decodeLine(LINES[name].slice(0, -1));
  if (E.isLeft(decoded)) throw new Error(`${name}: ${decoded.left.message}`);
  return decoded.right;
};

export const JOINER = INVITE.inputs.joiner;
export const INVITER = INVITE.inputs.inviter;
export const CODE = INVITE.inputs.code;

/** An actor's dependencies, and how many key pairs it made (a key pair is the DH work). */
export interface CountedDeps {
  readonly deps: ActorDeps;
  readonly keyPairs: () => number;
}

/**
 * The vector's dependencies for one side: a 16-byte draw is its nonce, a 32-byte draw the
 * secret bytes (the inviter's only), the key pair made from its scalar.
 */
const vectorDeps = (party: { readonly nonce: string; readonly private: string }): CountedDeps => {
  let made = 0;
  return {
    deps: {
      randomBytes: (size) => {
        if (size === 16) return Buffer.from(party.nonce, 'hex');
        if (size === 32) return Buffer.from(INVITE.inputs.secret, 'hex');
        throw new Error(`unexpected draw of ${size} bytes`);
      },
      now: () => new Date(0),
      keyPair: (group, binding) => {
        made += 1;
        return createKeyPair(group, binding, Buffer.from(party.private, 'hex'));
      },
    },
    keyPairs: () => made,
  };
};

export const joinerDeps = (): CountedDeps => vectorDeps(JOINER);
export const inviterDeps = (): CountedDeps => vectorDeps(INVITER);

export const joinerParams = (over: Partial<JoinerParams> = {}): JoinerParams => ({
  self: mint(Username, JOINER.username),
  code: CODE,
  listen: JOINER.port,
  ...over,
});

export const inviterConfig: ResponderConfig = {
  self: mint(Username, INVITER.username),
  groups: GROUPS,
};

/** An actor's logic with its state kept opaque (the wire does not look at it). */
export type AnyLogic<Ev> = ActorLogic<{ readonly phase: string }, Ev>;
export const opaque = <S extends { readonly phase: string }, Ev>(
  logic: ActorLogic<S, Ev>,
): AnyLogic<Ev> => logic as unknown as AnyLogic<Ev>;

/** The joiner for the vector (bob), and the node's incoming logic for the vector's inviter (alice). */
export const vectorJoiner = (
  over: Partial<JoinerParams> = {},
  counted = joinerDeps(),
): AnyLogic<JoinerEvent> => opaque(joinerLogic(joinerParams(over), counted.deps));
export const vectorIncoming = (counted = inviterDeps()): AnyLogic<IncomingEvent> =>
  opaque(incomingLogic(inviterConfig, counted.deps));

/** An effect the node was told or asked, and when. */
export interface Asked {
  readonly at: number;
  readonly effect: Effect<unknown>;
}

export interface DeskSpec {
  readonly scheduler: SchedulerLike;
  /** The answer to `invite_claim`: the vector's code and port unless told. */
  readonly claim?: Extract<Inbound, { kind: 'invitation' | 'invitation_refused' }>;
  /** The answer to `may_guess`. */
  readonly allowed?: boolean;
  /** The answer to `invite_wrong`: wrong codes the invite still takes. */
  readonly left?: number;
  /** How long filing takes, in virtual ms; undefined: `filed` at once (synchronously). */
  readonly fileDelayMs?: number;
}

export interface Desk {
  /** Every effect that is not a frame, an event or a close (questions and reports), in order. */
  readonly asked: Asked[];
  readonly answer: (effect: Effect<unknown>) => Answer;
  /** The kinds asked, in order (`claimed`, `invite_claim`, `may_guess`, `guess`, …). */
  readonly kinds: () => string[];
}

const FILED: Inbound = { kind: 'filed' };

/** The node's side of an invite exchange, faked: it answers the actor's questions. */
export const desk = ({
  scheduler,
  claim = { kind: 'invitation', code: CODE, port: INVITER.port, nameTaken: false },
  allowed = true,
  left = 2,
  fileDelayMs,
}: DeskSpec): Desk => {
  const asked: Asked[] = [];
  return {
    asked,
    kinds: () => asked.map((a) => a.effect.kind),
    answer: (effect) => {
      if (effect.kind === 'send' || effect.kind === 'emit' || effect.kind === 'close') {
        return undefined;
      }
      asked.push({ at: scheduler.now(), effect });
      switch (effect.kind) {
        case 'invite_claim':
          return claim;
        case 'may_guess':
          return { kind: 'budget', allowed };
        case 'invite_wrong':
          return { kind: 'attempts', left };
        case 'file_contact':
          return fileDelayMs === undefined ? FILED : of(FILED).pipe(delay(fileDelayMs, scheduler));
        default:
          return undefined; // a report (claimed, guess): passed on
      }
    },
  };
};

/** The `file_contact` effects a desk was asked, with when. */
export const filings = (d: Desk) =>
  d.asked.flatMap(({ at, effect }) => (effect.kind === 'file_contact' ? [{ at, effect }] : []));

/** The `guess` reports a desk saw. */
export const guesses = (d: Desk) =>
  d.asked.flatMap(({ effect }) => (effect.kind === 'guess' ? [effect.reason] : []));

/** A socket that keeps each write (one string, every line of it) and the close. */
const fakeSocket = (onWrite: (lines: string) => void, onClose: () => void): Connection => {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose();
  };
  return {
    remoteAddress: '127.0.0.1',
    remotePort: 1,
    lines$: EMPTY,
    closed$: EMPTY,
    send: () => EMPTY,
    write: (lines) => {
      if (!closed) onWrite(lines);
    },
    close,
    destroy: close,
  };
};

/**
 * An actor's effects carried out on a fake socket: emits each write (the lines of one flight
 * as one string) and completes at the close. Each event goes to `onEvent` first.
 */
export const writes$ =
  <Ev>(onEvent: (event: Ev) => void = () => {}) =>
  (effects$: Observable<Effect<Ev>>): Observable<string> =>
    new Observable<string>((subscriber) => {
      const socket = fakeSocket(
        (lines) => subscriber.next(lines),
        () => subscriber.complete(),
      );
      return effects$.pipe(carryOut(socket)).subscribe({
        next: onEvent,
        error: (err: unknown) => subscriber.error(err),
      });
    });

/** One actor facing a scripted peer: what it writes, and its events with their times. */
export const scripted = <S extends { readonly phase: string }, Ev>(
  logic: ActorLogic<S, Ev>,
  inbound$: Observable<Inbound>,
  {
    scheduler,
    answer,
    stepDeadlineMs,
  }: {
    scheduler: SchedulerLike;
    answer?: (effect: Effect<Ev>) => Answer;
    stepDeadlineMs?: number;
  },
) => {
  const events: [number, Ev][] = [];
  const written$ = runActor(logic, inbound$, { scheduler, answer, stepDeadlineMs }).pipe(
    writes$((event: Ev) => events.push([scheduler.now(), event])),
  );
  return { written$, events };
};

export type Side = 'joiner' | 'inviter';
type Json = Record<string, unknown>;
/** Rewrites a frame in flight (as a plain JSON object), as one on the path would. */
export type InviteTamper = (frame: Json, from: Side) => Json;

export interface Wired {
  /** Each write, by whom and when (virtual ms). */
  readonly writes: { at: number; from: Side; lines: string }[];
  readonly joinerEvents: [number, JoinerEvent][];
  readonly inviterEvents: [number, IncomingEvent][];
  /** When each side closed its end. */
  readonly closed: Partial<Record<Side, number>>;
}

const inbound = (line: string): Inbound => {
  const decoded = decodeLine(line);
  return E.isRight(decoded)
    ? { kind: 'frame', frame: decoded.right }
    : { kind: 'invalid', error: decoded.left };
};

/**
 * The joiner and the inviter (the node's incoming logic) back to back: each write reaches the
 * other side `hopMs` later, line by line (tampered with, if asked, and decoded again); a
 * close reaches it as the end of its connection. Call it inside a TestScheduler run; read
 * the result after the run.
 */
export const wire = ({
  scheduler,
  joiner = vectorJoiner(),
  inviter = vectorIncoming(),
  joinerAnswer,
  inviterAnswer,
  tamper = (f) => f,
  hopMs = 1,
  stepDeadlineMs,
}: {
  scheduler: SchedulerLike;
  joiner?: AnyLogic<JoinerEvent>;
  inviter?: AnyLogic<IncomingEvent>;
  joinerAnswer?: (effect: Effect<JoinerEvent>) => Answer;
  inviterAnswer?: (effect: Effect<IncomingEvent>) => Answer;
  tamper?: InviteTamper;
  hopMs?: number;
  stepDeadlineMs?: number;
}): Wired => {
  const result: Wired = { writes: [], joinerEvents: [], inviterEvents: [], closed: {} };
  const toJoiner = new Subject<Inbound>();
  const toInviter = new Subject<Inbound>();

  const carry = <Ev>(
    from: Side,
    effects$: Observable<Effect<Ev>>,
    peer: Subject<Inbound>,
    events: [number, Ev][],
  ) => {
    const later = (work: () => void) => scheduler.schedule(work, hopMs);
    const socket = fakeSocket(
      (lines) => {
        result.writes.push({ at: scheduler.now(), from, lines });
        const each = lines
          .split('\n')
          .slice(0, -1)
          .map((line) => encodeFrame(tamper(JSON.parse(line), from) as Frame).slice(0, -1));
        later(() => {
          for (const line of each) peer.next(inbound(line));
        });
      },
      () => {
        result.closed[from] = scheduler.now();
        later(() => peer.complete());
      },
    );
    effects$.pipe(carryOut(socket)).subscribe((event) => events.push([scheduler.now(), event]));
  };

  const options = { scheduler, stepDeadlineMs };
  const inviter$ = runActor(inviter, toInviter, { ...options, answer: inviterAnswer });
  const joiner$ = runActor(joiner, toJoiner, { ...options, answer: joinerAnswer });
  carry('inviter', inviter$, toJoiner, result.inviterEvents);
  carry('joiner', joiner$, toInviter, result.joinerEvents);
  return result;
};

/**
 * The responder of parley/1 as a pure state machine: it answers one connection, verifies the
 * initiator before proving itself, and shows a message only after its MAC verified and the
 * node has recorded it (so that a retry is shown once, even after a crash).
 *
 *   (hello) → [claimed, lookup] → hello → (dh) → dh → (auth) → [authenticated] auth
 *     → (message) → [remember] → ack   or   … → (bye)
 *
 * The fast order (a hello offering `group`): hello + dh go out together after the lookup, then
 * (dh) and (auth) are taken as they come. Before work a guess is made with (a key pair, the
 * peer's share, a proof) it asks the node's budgets (`may_guess`); what it charges them is a
 * `guess` effect. It reads nothing of the node: the directory and the budgets answer through
 * the mailbox.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ErrorCode } from '../codecs/errors.js';
import { type Group, isGroup, type Nonce, type Username, type Uuid } from '../codecs/formats.js';
import {
  type AuthFrame,
  ackFrame,
  authFrame,
  type DhFrame,
  dhFrame,
  type HelloFrame,
  helloFrame,
  type MessageFrame,
} from '../codecs/frames.js';
import { ackMac, open } from '../crypto/channel.js';
import type { DhKeyPair } from '../crypto/dh.js';
import { macEquals, proof } from '../crypto/schedule.js';
import { type Closed, end, type Reporter, reject, sendFrame } from './common.js';
import {
  dispatcher,
  establish,
  freshNonce,
  type Handlers,
  stepsPerDeps,
  versionError,
} from './handshake.js';
import type {
  ActorDeps,
  ActorLogic,
  Effect,
  Failure,
  GuessReason,
  Inbound,
  Session,
  Transition,
} from './types.js';

export interface ResponderConfig {
  /** Our own username. */
  readonly self: Username;
  /** The groups we accept, in no particular order. */
  readonly groups: readonly Group[];
}

/**
 * What the responder needs of the outside world beyond randomness and the clock: nothing. The
 * directory (a contact's secret and pinned group) and the budgets are asked through effects
 * (`lookup`, `may_guess`) and answered through the mailbox, as `remember` is.
 */
export type ResponderDeps = ActorDeps;

/** A verified incoming message. */
export interface ReceivedMessage {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly msgId: string;
  readonly timestamp: string;
  /** Our clock minus the sender's, in ms, when it received the message. */
  readonly clockSkewMs: number;
}

export type ResponderPhase =
  | 'awaitingHello'
  | 'lookingUp'
  | 'awaitingDh'
  | 'awaitingAuth'
  | 'awaitingMessage'
  | 'recording'
  | 'closed';

export type ResponderEvent =
  | { readonly kind: 'received'; readonly message: ReceivedMessage }
  /** A retry of a message already shown: acknowledged again, not shown again. */
  | { readonly kind: 'duplicate'; readonly from: string; readonly msgId: string }
  /** The peer authenticated and said bye: a presence probe. */
  | { readonly kind: 'presence'; readonly from: string }
  | {
      readonly kind: 'rejected';
      readonly failure: Failure;
      readonly step: ResponderPhase;
      /** The username the peer claimed, once it said hello. */
      readonly peer: string | undefined;
      /** True when that username is not in our directory (never told to the peer). */
      readonly stranger: boolean;
    };

interface Claimed {
  /** The initiator's hello. */
  readonly hello: HelloFrame;
  /** False for a username not in the directory: we carry on with a random secret. */
  readonly known: boolean;
  /** The group the contact's directory entry pins, if any: the only one accepted from it. */
  readonly pinned: Group | undefined;
}

/** The fast order, taken at hello: the group offered and the key pair we made for it. */
interface Taken {
  readonly group: Group;
  readonly keyPair: DhKeyPair;
}

type AwaitingDh = {
  readonly phase: 'awaitingDh';
  readonly config: ResponderConfig;
  readonly claimed: Claimed;
  readonly nonce: Nonce;
  readonly secret: string;
  /** Set in the fast order: our dh went out with our hello. */
  readonly taken: Taken | undefined;
};
type AwaitingAuth = {
  readonly phase: 'awaitingAuth';
  readonly claimed: Claimed;
  readonly session: Session;
};

/** An input that would spend work a guess is made with, held while the node's budget answers. */
type Asking = {
  readonly phase: 'asking';
  readonly waiting: AwaitingDh | AwaitingAuth;
  /** The fast order's hello (its key pair is the work), a dh, or an auth. */
  readonly frame: HelloFrame | DhFrame | AuthFrame;
};

type Open =
  | { readonly phase: 'awaitingHello'; readonly config: ResponderConfig }
  | { readonly phase: 'lookingUp'; readonly config: ResponderConfig; readonly hello: HelloFrame }
  | AwaitingDh
  | AwaitingAuth
  | Asking
  | { readonly phase: 'awaitingMessage'; readonly claimed: Claimed; readonly session: Session }
  | {
      /** The message verified; waiting for the node to record it before acknowledging. */
      readonly phase: 'recording';
      readonly claimed: Claimed;
      readonly session: Session;
      readonly msgId: Uuid;
      readonly message: ReceivedMessage;
    };

export type ResponderState = Open | Closed<ResponderEvent>;

type Out = Transition<ResponderState, ResponderEvent>;
type In<P extends Open['phase']> = Extract<Open, { phase: P }>;

/** The answer to a claimant the budgets stop (the node refuses new connections the same way). */
export const RATE_LIMITED = 'too many failed attempts; try again later';

const failureReport = (state: Open): Reporter<ResponderEvent> => {
  if (state.phase === 'asking') return failureReport(state.waiting);
  const claimed = 'claimed' in state ? state.claimed : undefined;
  return (failure) => ({
    kind: 'rejected',
    failure,
    step: state.phase as ResponderPhase,
    peer: state.phase === 'lookingUp' ? state.hello.from : claimed?.hello.from,
    stranger: claimed === undefined ? false : !claimed.known,
  });
};

const fail = (state: Open, code: ErrorCode, message: string): Out =>
  reject(code, message, failureReport(state));

/** A failure after which one attempt is charged to the budgets (the guess goes first). */
const failCharged = (
  state: AwaitingDh | AwaitingAuth,
  reason: GuessReason,
  code: ErrorCode,
  message: string,
): Out => {
  const [next, effects] = fail(state, code, message);
  return [next, [guess(state.claimed, reason), ...effects]];
};

const guess = (claimed: Claimed, reason: GuessReason): Effect<ResponderEvent> => ({
  kind: 'guess',
  username: claimed.hello.from,
  reason,
});

/**
 * Whether ending now leaves DH work we did without a proof after it (charged `no_proof`):
 * our key pair is made (the fast order's at hello, lock-step's at dh) and no proof verified.
 */
const atStake = (state: Open): boolean =>
  state.phase === 'awaitingAuth' ||
  (state.phase === 'awaitingDh' && state.taken !== undefined) ||
  (state.phase === 'asking' && atStake(state.waiting));

export const startResponder = (config: ResponderConfig): Out => [
  { phase: 'awaitingHello', config },
  [],
];

// ← hello {from, to, nonce[, group]}   → [claimed, lookup]
const onHello = (state: In<'awaitingHello'>, hello: HelloFrame): Out => {
  const { config } = state;
  const version = versionError(hello);
  if (version) return fail(state, version.code, version.message);
  if (hello.to !== null && hello.to !== config.self) {
    return fail(state, 'unknown_recipient', `this is ${config.self}, not ${hello.to}`);
  }
  return [
    { phase: 'lookingUp', config, hello },
    [
      { kind: 'claimed', username: hello.from },
      { kind: 'lookup', username: hello.from },
    ],
  ];
};

// [contact {secret, group}]   → hello {from, to, nonce}     or, offered: [may_guess]
const onContact = (
  state: In<'lookingUp'>,
  answer: Extract<Inbound, { kind: 'contact' }>,
  deps: ResponderDeps,
): Out => {
  const { config, hello } = state;
  // A stranger is not told so: it fails at auth like a wrong password (no enumeration).
  const known = answer.secret !== undefined;
  const claimed: Claimed = { hello, known, pinned: known ? answer.group : undefined };
  const awaiting: AwaitingDh = {
    phase: 'awaitingDh',
    config,
    claimed,
    nonce: freshNonce(deps),
    secret: answer.secret ?? deps.randomBytes(32).toString('hex'),
    taken: undefined,
  };
  // The fast order's key pair is made now: the budgets are asked first, as for a dh frame.
  if (hello.group !== undefined) return ask(awaiting, hello);
  return [awaiting, [sendFrame(helloFrame(config.self, hello.from, awaiting.nonce))]];
};

/** The groups this claimant may use: a contact whose entry names one gets only that one. */
const acceptedGroups = (state: AwaitingDh): readonly Group[] =>
  state.claimed.pinned === undefined ? state.config.groups : [state.claimed.pinned];

const refusedGroup = (state: AwaitingDh, group: string): Out | undefined => {
  const accepted = acceptedGroups(state);
  return isGroup(group) && accepted.includes(group)
    ? undefined
    : failCharged(
        state,
        'refused_group',
        'unsupported_group',
        `supported groups: ${accepted.join(', ')}`,
      );
};

const keyPairFor = (state: AwaitingDh, group: Group, deps: ResponderDeps): DhKeyPair =>
  deps.keyPair(group, {
    secret: state.secret,
    initiator: state.claimed.hello.from,
    responder: state.config.self,
    initiatorNonce: state.claimed.hello.nonce,
    responderNonce: state.nonce,
  });

// (budget allowed) → hello {from, to, nonce, group}   dh {group, public}     (the fast order)
const takeOffer = (state: AwaitingDh, offered: string, deps: ResponderDeps): Out => {
  const refused = refusedGroup(state, offered);
  if (refused) return refused;
  const group = offered as Group;
  const keyPair = keyPairFor(state, group, deps);
  const { config, claimed, nonce } = state;
  return [
    { ...state, taken: { group, keyPair } },
    [
      sendFrame(helloFrame(config.self, claimed.hello.from, nonce, group)),
      sendFrame(dhFrame(group, keyPair.publicHex)),
    ],
  ];
};

// ← dh {group, public}   → dh {group, public}     (fast order: ours went out already)
const onDh = (state: AwaitingDh, dh: DhFrame, deps: ResponderDeps): Out => {
  const { config, claimed, taken } = state;
  if (taken !== undefined && dh.group !== taken.group) {
    return fail(
      state,
      'unexpected_frame',
      `the hello offered ${taken.group}, the dh is ${dh.group}`,
    );
  }
  const refused = taken === undefined ? refusedGroup(state, dh.group) : undefined;
  if (refused) return refused;
  const group = dh.group as Group;
  const keyPair = taken?.keyPair ?? keyPairFor(state, group, deps);
  const session = establish(
    'responder',
    keyPair,
    { name: config.self, nonce: state.nonce },
    { name: claimed.hello.from, nonce: claimed.hello.nonce, publicHex: dh.public },
    group,
    state.secret,
  );
  // Our key pair is made either way: a share that fails its check cost us that work.
  if (E.isLeft(session)) {
    return failCharged(state, 'bad_share', session.left.code, session.left.message);
  }
  const reply =
    taken === undefined ? [sendFrame<ResponderEvent>(dhFrame(group, keyPair.publicHex))] : [];
  return [{ phase: 'awaitingAuth', claimed, session: session.right }, reply];
};

// ← auth {proof_I}   → auth {proof_R}     (the initiator proves itself first)
const onAuth = (state: AwaitingAuth, auth: AuthFrame): Out => {
  const { session, claimed } = state;
  if (!macEquals(proof(session.keys, session.th, 'initiator'), auth.proof)) {
    return failCharged(state, 'proof_failed', 'auth_failed', 'authentication failed');
  }
  return [
    { phase: 'awaitingMessage', claimed, session },
    [
      { kind: 'authenticated', username: claimed.hello.from },
      sendFrame(authFrame(proof(session.keys, session.th, 'responder'))),
    ],
  ];
};

/** Hold `frame` and ask the node whether the budgets let this claimant spend work on it. */
const ask = (waiting: AwaitingDh | AwaitingAuth, frame: Asking['frame']): Out => [
  { phase: 'asking', waiting, frame },
  [{ kind: 'may_guess', username: waiting.claimed.hello.from }],
];

// [budget {allowed}]   → the held frame's step, or rate_limited (never checked, not charged)
const onBudget = (state: Asking, allowed: boolean, deps: ResponderDeps): Out => {
  const { waiting, frame } = state;
  if (!allowed) return fail(waiting, 'rate_limited', RATE_LIMITED);
  if (waiting.phase === 'awaitingAuth') return onAuth(waiting, frame as AuthFrame);
  if (frame.type === 'hello') return takeOffer(waiting, frame.group as string, deps);
  return onDh(waiting, frame as DhFrame, deps);
};

// ← message {header, message, security}   → [remember (sender, msg_id)]
const onMessage = (state: In<'awaitingMessage'>, frame: MessageFrame, deps: ResponderDeps): Out => {
  const { session } = state;
  const parties = { from: session.initiator, to: session.responder };
  const opened = open(session.keys, session.th, frame, parties);
  if (E.isLeft(opened)) return fail(state, opened.left.code, opened.left.message);
  const { msg_id: msgId, timestamp } = frame.header;
  const now = deps.now().getTime();
  const message: ReceivedMessage = {
    ...parties,
    text: opened.right,
    msgId,
    timestamp,
    clockSkewMs: now - Date.parse(timestamp),
  };
  // Keyed by the authenticated sender too: another contact reusing the id silences nothing.
  const remember = { kind: 'remember', sender: session.initiator, msgId, atMs: now } as const;
  return [{ phase: 'recording', claimed: state.claimed, session, msgId, message }, [remember]];
};

// [recorded {fresh}]   → ack {msg_id, status, hmac}
// The event goes out before the ack: a peer that dies in between has shown the message (and
// recorded its id), so the sender's retry is a duplicate, not a loss.
const onRecorded = (state: In<'recording'>, fresh: boolean): Out => {
  const { session, msgId, message } = state;
  const mac = ackMac(session.keys, session.th, msgId, 'delivered');
  const ack = sendFrame<ResponderEvent>(ackFrame(msgId, 'delivered', mac));
  const event: ResponderEvent = fresh
    ? { kind: 'received', message }
    : { kind: 'duplicate', from: session.initiator, msgId };
  return end(event, { after: [ack] });
};

const handlers = (deps: ResponderDeps): Handlers<Open, ResponderEvent> => ({
  awaitingHello: { hello: onHello },
  lookingUp: { contact: (s, answer) => onContact(s, answer, deps) },
  awaitingDh: { dh: ask },
  awaitingAuth: { auth: ask },
  asking: { budget: (s, answer) => onBudget(s, answer.allowed, deps) },
  awaitingMessage: {
    message: (s, f) => onMessage(s, f, deps),
    bye: (s) => end({ kind: 'presence', from: s.session.initiator }),
  },
  recording: { recorded: (s, answer) => onRecorded(s, answer.fresh) },
});

const isRateLimited = (effects: readonly Effect<ResponderEvent>[]): boolean =>
  effects.some(
    (e) =>
      e.kind === 'emit' &&
      e.event.kind === 'rejected' &&
      e.event.failure.cause === 'rejected' &&
      e.event.failure.code === 'rate_limited',
  );

/**
 * The step, with the one charge no handler makes itself: an exchange that ends after our DH
 * work and before a proof verified (a timeout, a drop, a frame out of order, the peer's error)
 * costs a guess — except our own refusal to spend (`rate_limited`), which the budgets made.
 */
const charging =
  (step: (state: ResponderState, input: Inbound) => Out) =>
  (state: ResponderState, input: Inbound): Out => {
    const [next, effects] = step(state, input);
    if (state.phase === 'closed' || next.phase !== 'closed' || !atStake(state))
      return [next, effects];
    if (effects.some((e) => e.kind === 'guess') || isRateLimited(effects)) return [next, effects];
    const claimed =
      state.phase === 'asking' ? state.waiting.claimed : (state as AwaitingAuth).claimed;
    return [next, [guess(claimed, 'no_proof'), ...effects]];
  };

const stepFor = stepsPerDeps((deps: ResponderDeps) =>
  charging(dispatcher(handlers(deps), failureReport)),
);

/** One step of the responder: the state after `input`, and what to do. */
export const stepResponder = (state: ResponderState, input: Inbound, deps: ResponderDeps): Out =>
  stepFor(deps)(state, input);

/** The responder for one connection, its step table built once. */
export const responderLogic = (
  config: ResponderConfig,
  deps: ResponderDeps,
): ActorLogic<ResponderState, ResponderEvent> => ({
  start: () => startResponder(config),
  step: stepFor(deps),
});

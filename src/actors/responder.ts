/**
 * The responder of parley/1 as a pure state machine: it answers one connection, verifies the
 * initiator before proving itself, and acknowledges a message only after its MAC verified and
 * the node has handed it to its reader and recorded it (so that an ack means "shown", and a
 * retry is shown once, even after a crash).
 *
 *   (hello) → hello → (dh) → dh → (auth) → auth → (message) → [deliver] → ack   or   … → (bye)
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
  Failure,
  Inbound,
  ReceivedMessage,
  Session,
  Transition,
} from './types.js';

export interface ResponderConfig {
  /** Our own username. */
  readonly self: Username;
  /** The groups we accept, in no particular order. */
  readonly groups: readonly Group[];
}

export interface ResponderDeps extends ActorDeps {
  /** The secret shared with a contact, from the directory; undefined for a stranger. */
  readonly lookupSecret: (username: string) => string | undefined;
  /** The group a contact's directory entry names, if any: the only one accepted from it. */
  readonly lookupGroup?: (username: string) => Group | undefined;
}

export type { ReceivedMessage } from './types.js';

export type ResponderPhase =
  | 'awaitingHello'
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
}

type Open =
  | { readonly phase: 'awaitingHello'; readonly config: ResponderConfig }
  | {
      readonly phase: 'awaitingDh';
      readonly config: ResponderConfig;
      readonly claimed: Claimed;
      readonly nonce: Nonce;
      readonly secret: string;
    }
  | { readonly phase: 'awaitingAuth'; readonly claimed: Claimed; readonly session: Session }
  | { readonly phase: 'awaitingMessage'; readonly claimed: Claimed; readonly session: Session }
  | {
      /** The message verified; waiting for the node to deliver and record it before acking. */
      readonly phase: 'recording';
      readonly claimed: Claimed;
      readonly session: Session;
      readonly msgId: Uuid;
      readonly message: ReceivedMessage;
    };

export type ResponderState = Open | Closed<ResponderEvent>;

type Out = Transition<ResponderState, ResponderEvent>;
type In<P extends Open['phase']> = Extract<Open, { phase: P }>;

const failureReport =
  (state: Open): Reporter<ResponderEvent> =>
  (failure) => ({
    kind: 'rejected',
    failure,
    step: state.phase,
    peer: 'claimed' in state ? state.claimed.hello.from : undefined,
    stranger: 'claimed' in state ? !state.claimed.known : false,
  });

const fail = (state: Open, code: ErrorCode, message: string): Out =>
  reject(code, message, failureReport(state));

export const startResponder = (config: ResponderConfig): Out => [
  { phase: 'awaitingHello', config },
  [],
];

// ← hello {from, to, nonce}   → hello {from, to, nonce}
const onHello = (state: In<'awaitingHello'>, hello: HelloFrame, deps: ResponderDeps): Out => {
  const { config } = state;
  const version = versionError(hello);
  if (version) return fail(state, version.code, version.message);
  if (hello.to !== null && hello.to !== config.self) {
    return fail(state, 'unknown_recipient', `this is ${config.self}, not ${hello.to}`);
  }
  // A stranger is not told so: it fails at auth like a wrong password (no enumeration).
  const known = deps.lookupSecret(hello.from);
  const secret = known ?? deps.randomBytes(32).toString('hex');
  const nonce = freshNonce(deps);
  const claimed = { hello, known: known !== undefined };
  return [
    { phase: 'awaitingDh', config, claimed, nonce, secret },
    [sendFrame(helloFrame(config.self, hello.from, nonce))],
  ];
};

// ← dh {group, public}   → dh {group, public}
const onDh = (state: In<'awaitingDh'>, dh: DhFrame, deps: ResponderDeps): Out => {
  const { config, claimed } = state;
  // A contact whose entry names a group gets only that one, so that it cannot be downgraded.
  const pinned = claimed.known ? deps.lookupGroup?.(claimed.hello.from) : undefined;
  const accepted = pinned === undefined ? config.groups : [pinned];
  if (!isGroup(dh.group) || !accepted.includes(dh.group)) {
    return fail(state, 'unsupported_group', `supported groups: ${accepted.join(', ')}`);
  }
  const keyPair = deps.keyPair(dh.group, {
    secret: state.secret,
    initiator: claimed.hello.from,
    responder: config.self,
    initiatorNonce: claimed.hello.nonce,
    responderNonce: state.nonce,
  });
  const session = establish(
    'responder',
    keyPair,
    { name: config.self, nonce: state.nonce },
    { name: claimed.hello.from, nonce: claimed.hello.nonce, publicHex: dh.public },
    dh.group,
    state.secret,
  );
  if (E.isLeft(session)) return fail(state, session.left.code, session.left.message);
  return [
    { phase: 'awaitingAuth', claimed, session: session.right },
    [sendFrame(dhFrame(dh.group, keyPair.publicHex))],
  ];
};

// ← auth {proof_I}   → auth {proof_R}     (the initiator proves itself first)
const onAuth = (state: In<'awaitingAuth'>, auth: AuthFrame): Out => {
  const { session } = state;
  if (!macEquals(proof(session.keys, session.th, 'initiator'), auth.proof)) {
    return fail(state, 'auth_failed', 'authentication failed');
  }
  return [
    { phase: 'awaitingMessage', claimed: state.claimed, session },
    [sendFrame(authFrame(proof(session.keys, session.th, 'responder')))],
  ];
};

// ← message {header, message, security}   → [deliver (sender, msg_id, message)]
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
  const sender = session.initiator;
  const deliver = { kind: 'deliver', sender, msgId, atMs: now, message } as const;
  return [{ phase: 'recording', claimed: state.claimed, session, msgId, message }, [deliver]];
};

// [recorded {fresh}]   → ack {msg_id, status, hmac}
// Only now, the reader having got the message and its id recorded: an ack means "shown". A
// sink that failed (or is still busy at the deadline) never comes here: no ack, and the
// sender keeps the message. The event goes out before the ack too (for those who read it).
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
  awaitingHello: { hello: (s, f) => onHello(s, f, deps) },
  awaitingDh: { dh: (s, f) => onDh(s, f, deps) },
  awaitingAuth: { auth: onAuth },
  awaitingMessage: {
    message: (s, f) => onMessage(s, f, deps),
    bye: (s) => end({ kind: 'presence', from: s.session.initiator }),
  },
  recording: { recorded: (s, answer) => onRecorded(s, answer.fresh) },
});

const stepFor = stepsPerDeps((deps: ResponderDeps) => dispatcher(handlers(deps), failureReport));

/** One step of the responder: the state after `input`, and what to do. */
export const stepResponder = (state: ResponderState, input: Inbound, deps: ResponderDeps): Out =>
  stepFor(deps)(state, input);

/** The responder for one connection, its step table built once. */
export const responderLogic = (
  config: ResponderConfig,
  deps: ResponderDeps,
): ActorLogic<ResponderState, ResponderEvent> => ({
  start: startResponder(config),
  step: stepFor(deps),
});

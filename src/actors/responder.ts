/**
 * The responder of parley/1 as a pure state machine: it answers one connection, verifies the
 * initiator before proving itself, and shows a message only after its MAC verified.
 *
 *   (hello) → hello → (dh) → dh → (auth) → auth → (message) → ack    or    … → (bye)
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ErrorCode } from '../codecs/errors.js';
import { type Group, isGroup } from '../codecs/formats.js';
import type { AuthFrame, DhFrame, FrameType, HelloFrame, MessageFrame } from '../codecs/frames.js';
import { ackMac, open } from '../crypto/channel.js';
import { deriveKeys, macEquals, proof, transcriptHash } from '../crypto/schedule.js';
import { PROTOCOL_VERSION } from '../limits.js';
import {
  type Closed,
  close,
  emit,
  finish,
  interrupted,
  isInterruption,
  type Report,
  reject,
  sendFrame,
  unexpected,
} from './common.js';
import type { DedupeMemory } from './dedupe.js';
import type { ActorDeps, Effect, Failure, Inbound, Session, Transition } from './types.js';

export interface ResponderConfig {
  /** Our own username. */
  readonly self: string;
  /** The groups we accept, in no particular order. */
  readonly groups: readonly Group[];
}

export interface ResponderDeps extends ActorDeps {
  /** The secret shared with a contact, from the directory; undefined for a stranger. */
  readonly lookupSecret: (username: string) => string | undefined;
  /** The group a contact's directory entry names, if any: the only one accepted from it. */
  readonly lookupGroup?: (username: string) => Group | undefined;
  /** Recent `msg_id`s, so that a retried message is shown once. */
  readonly dedupe: DedupeMemory;
}

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
  | 'awaitingDh'
  | 'awaitingAuth'
  | 'awaitingMessage'
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

export type ResponderState =
  | { readonly phase: 'awaitingHello'; readonly config: ResponderConfig }
  | {
      readonly phase: 'awaitingDh';
      readonly config: ResponderConfig;
      readonly claimed: Claimed;
      readonly nonce: string;
      readonly secret: string;
    }
  | { readonly phase: 'awaitingAuth'; readonly claimed: Claimed; readonly session: Session }
  | { readonly phase: 'awaitingMessage'; readonly claimed: Claimed; readonly session: Session }
  | Closed<ResponderEvent>;

type Out = Transition<ResponderState, ResponderEvent>;
type In<P extends ResponderState['phase']> = Extract<ResponderState, { phase: P }>;

const failureReport =
  (state: ResponderState): Report<ResponderEvent> =>
  (failure) => ({
    kind: 'rejected',
    failure,
    step: state.phase,
    peer: 'claimed' in state ? state.claimed.hello.from : undefined,
    stranger: 'claimed' in state ? !state.claimed.known : false,
  });

const fail = (state: ResponderState, code: ErrorCode, message: string): Out =>
  finish(reject(code, message, failureReport(state)));

/** Ends the exchange with a success: publish it, perhaps answer, close. */
/**
 * Ends the exchange with a success. The event goes out before the ack: a peer that dies in
 * between has shown the message (and remembered its id), so the sender's retry is a
 * duplicate, not a loss.
 */
const succeed = (event: ResponderEvent, answer: Effect<ResponderEvent>[] = []): Out => [
  { phase: 'closed', outcome: event },
  [emit(event), ...answer, close()],
];

export const startResponder = (config: ResponderConfig): Out => [
  { phase: 'awaitingHello', config },
  [],
];

// ← hello {from, to, nonce}   → hello {from, to, nonce}
const onHello = (state: In<'awaitingHello'>, hello: HelloFrame, deps: ResponderDeps): Out => {
  const { config } = state;
  if (hello.version !== PROTOCOL_VERSION) {
    return fail(state, 'version_unsupported', `this peer speaks version ${PROTOCOL_VERSION}`);
  }
  if (hello.to !== null && hello.to !== config.self) {
    return fail(state, 'unknown_recipient', `this is ${config.self}, not ${hello.to}`);
  }
  // A stranger is not told so: it fails at auth like a wrong password (no enumeration).
  const known = deps.lookupSecret(hello.from);
  const secret = known ?? deps.randomBytes(32).toString('hex');
  const nonce = deps.randomBytes(16).toString('hex');
  const reply = {
    type: 'hello',
    version: PROTOCOL_VERSION,
    from: config.self,
    to: hello.from,
    nonce,
  } as HelloFrame;
  const claimed = { hello, known: known !== undefined };
  return [{ phase: 'awaitingDh', config, claimed, nonce, secret }, [sendFrame(reply)]];
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
  const shared = keyPair.deriveShared(dh.public);
  if (E.isLeft(shared)) return fail(state, shared.left.code, shared.left.message);
  const th = transcriptHash({
    initiator: claimed.hello.from,
    responder: config.self,
    initiatorNonce: claimed.hello.nonce,
    responderNonce: state.nonce,
    group: dh.group,
    initiatorPublic: dh.public,
    responderPublic: keyPair.publicHex,
  });
  const session: Session = {
    initiator: claimed.hello.from,
    responder: config.self,
    keys: deriveKeys(state.secret, shared.right),
    th,
  };
  const reply = { type: 'dh', group: dh.group, public: keyPair.publicHex } as DhFrame;
  return [{ phase: 'awaitingAuth', claimed, session }, [sendFrame(reply)]];
};

// ← auth {proof_I}   → auth {proof_R}     (the initiator proves itself first)
const onAuth = (state: In<'awaitingAuth'>, auth: AuthFrame): Out => {
  const { session } = state;
  if (!macEquals(proof(session.keys, session.th, 'initiator'), auth.proof)) {
    return fail(state, 'auth_failed', 'authentication failed');
  }
  const reply = { type: 'auth', proof: proof(session.keys, session.th, 'responder') } as AuthFrame;
  return [{ phase: 'awaitingMessage', claimed: state.claimed, session }, [sendFrame(reply)]];
};

// ← message {header, message, security}   → ack {msg_id, status, hmac}
const onMessage = (state: In<'awaitingMessage'>, frame: MessageFrame, deps: ResponderDeps): Out => {
  const { session } = state;
  const parties = { from: session.initiator, to: session.responder };
  const opened = open(session.keys, session.th, frame, parties);
  if (E.isLeft(opened)) return fail(state, opened.left.code, opened.left.message);
  const { msg_id: msgId, timestamp } = frame.header;
  const now = deps.now().getTime();
  const ack = sendFrame<ResponderEvent>({
    type: 'ack',
    msg_id: msgId,
    status: 'delivered',
    hmac: ackMac(session.keys, session.th, msgId, 'delivered'),
  } as Parameters<typeof sendFrame>[0]);
  if (!deps.dedupe.remember(msgId, now)) {
    return succeed({ kind: 'duplicate', from: session.initiator, msgId }, [ack]);
  }
  const message: ReceivedMessage = {
    ...parties,
    text: opened.right,
    msgId,
    timestamp,
    clockSkewMs: now - Date.parse(timestamp),
  };
  return succeed({ kind: 'received', message }, [ack]);
};

/** One step of the responder: the state after `input`, and what to do. */
export const stepResponder = (state: ResponderState, input: Inbound, deps: ResponderDeps): Out => {
  if (state.phase === 'closed') return [state, []];
  const report = failureReport(state);
  if (isInterruption(input)) return finish(interrupted(input, report));
  const { frame } = input as Extract<Inbound, { kind: 'frame' }>;
  switch (state.phase) {
    case 'awaitingHello':
      return frame.type === 'hello' ? onHello(state, frame, deps) : wrongFrame(['hello']);
    case 'awaitingDh':
      return frame.type === 'dh' ? onDh(state, frame, deps) : wrongFrame(['dh']);
    case 'awaitingAuth':
      return frame.type === 'auth' ? onAuth(state, frame) : wrongFrame(['auth']);
    case 'awaitingMessage':
      if (frame.type === 'bye') return succeed({ kind: 'presence', from: state.session.initiator });
      return frame.type === 'message'
        ? onMessage(state, frame, deps)
        : wrongFrame(['message', 'bye']);
  }
  function wrongFrame(expected: FrameType[]): Out {
    return finish(unexpected(expected, frame.type, report));
  }
};

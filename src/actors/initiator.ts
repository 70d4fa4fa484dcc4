/**
 * The initiator of parley/1 as a pure state machine: it opens the exchange to deliver one
 * message (or to probe presence) and reports delivery only after a verified ack.
 *
 *   hello → (hello) → dh → (dh) → auth → (auth) → message → (ack)    or    … → bye
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ErrorCode } from '../codecs/errors.js';
import type { Group } from '../codecs/formats.js';
import type { AckFrame, AuthFrame, DhFrame, FrameType, HelloFrame } from '../codecs/frames.js';
import { ackMac, seal } from '../crypto/channel.js';
import type { DhKeyPair } from '../crypto/dh.js';
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
import type { ActorDeps, Failure, Inbound, Session, Transition } from './types.js';

/** What to do once authenticated: deliver one message, or only prove presence. */
export type Intent =
  | { readonly kind: 'message'; readonly msgId: string; readonly text: string }
  | { readonly kind: 'probe' };

export interface InitiatorParams {
  /** Our own username. */
  readonly self: string;
  /** The directory entry's username, or undefined for a destination entered by hand. */
  readonly expectedPeer: string | undefined;
  /** The user secret shared with that peer. */
  readonly secret: string;
  readonly group: Group;
  readonly intent: Intent;
}

export type InitiatorPhase =
  | 'awaitingHello'
  | 'awaitingDh'
  | 'awaitingAuth'
  | 'awaitingAck'
  | 'closed';

export type InitiatorEvent =
  | { readonly kind: 'delivered'; readonly msgId: string; readonly peer: string }
  | { readonly kind: 'probe_ok'; readonly peer: string }
  | {
      readonly kind: 'failed';
      readonly failure: Failure;
      /** The step the exchange was at. */
      readonly step: InitiatorPhase;
      /** `unknown` once the message frame was written: the peer may have received it. */
      readonly delivery: 'not_delivered' | 'unknown';
      /** The responder's username, once its hello told us. */
      readonly peer: string | undefined;
    };

export type InitiatorState =
  | { readonly phase: 'awaitingHello'; readonly params: InitiatorParams; readonly nonce: string }
  | {
      readonly phase: 'awaitingDh';
      readonly params: InitiatorParams;
      readonly nonce: string;
      readonly peerHello: HelloFrame;
      readonly keyPair: DhKeyPair;
    }
  | { readonly phase: 'awaitingAuth'; readonly params: InitiatorParams; readonly session: Session }
  | {
      readonly phase: 'awaitingAck';
      readonly params: InitiatorParams;
      readonly session: Session;
      readonly msgId: string;
    }
  | Closed<InitiatorEvent>;

type Out = Transition<InitiatorState, InitiatorEvent>;
type In<P extends InitiatorState['phase']> = Extract<InitiatorState, { phase: P }>;

const failureReport =
  (state: InitiatorState): Report<InitiatorEvent> =>
  (failure) => ({
    kind: 'failed',
    failure,
    step: state.phase,
    delivery: state.phase === 'awaitingAck' ? 'unknown' : 'not_delivered',
    peer: peerName(state),
  });

const peerName = (state: InitiatorState): string | undefined => {
  switch (state.phase) {
    case 'awaitingDh':
      return state.peerHello.from;
    case 'awaitingAuth':
    case 'awaitingAck':
      return state.session.responder;
    default:
      return undefined;
  }
};

const fail = (state: InitiatorState, code: ErrorCode, message: string): Out =>
  finish(reject(code, message, failureReport(state)));

// → hello {from, to, nonce}
export const startInitiator = (params: InitiatorParams, deps: ActorDeps): Out => {
  const nonce = deps.randomBytes(16).toString('hex');
  const hello: HelloFrame = {
    type: 'hello',
    version: PROTOCOL_VERSION,
    from: params.self,
    to: params.expectedPeer ?? null,
    nonce,
  } as HelloFrame;
  return [{ phase: 'awaitingHello', params, nonce }, [sendFrame(hello)]];
};

// ← hello {from, to, nonce}   → dh {group, public}
const onHello = (state: In<'awaitingHello'>, hello: HelloFrame, deps: ActorDeps): Out => {
  const { params } = state;
  if (hello.version !== PROTOCOL_VERSION) {
    return fail(state, 'version_unsupported', `this peer speaks version ${PROTOCOL_VERSION}`);
  }
  if (params.expectedPeer !== undefined && hello.from !== params.expectedPeer) {
    return fail(
      state,
      'unknown_recipient',
      `the peer at that address is ${hello.from}, not ${params.expectedPeer}`,
    );
  }
  const keyPair = deps.keyPair(params.group, {
    secret: params.secret,
    initiator: params.self,
    responder: hello.from,
    initiatorNonce: state.nonce,
    responderNonce: hello.nonce,
  });
  const dh = { type: 'dh', group: params.group, public: keyPair.publicHex } as DhFrame;
  return [
    { phase: 'awaitingDh', params, nonce: state.nonce, peerHello: hello, keyPair },
    [sendFrame(dh)],
  ];
};

// ← dh {group, public}   → auth {proof_I}
const onDh = (state: In<'awaitingDh'>, dh: DhFrame): Out => {
  const { params, keyPair, peerHello } = state;
  if (dh.group !== params.group) {
    return fail(
      state,
      'unsupported_group',
      `asked for ${params.group}, the peer answered ${dh.group}`,
    );
  }
  const shared = keyPair.deriveShared(dh.public);
  if (E.isLeft(shared)) return fail(state, shared.left.code, shared.left.message);
  const th = transcriptHash({
    initiator: params.self,
    responder: peerHello.from,
    initiatorNonce: state.nonce,
    responderNonce: peerHello.nonce,
    group: params.group,
    initiatorPublic: keyPair.publicHex,
    responderPublic: dh.public,
  });
  const session: Session = {
    initiator: params.self,
    responder: peerHello.from,
    keys: deriveKeys(params.secret, shared.right),
    th,
  };
  const auth = { type: 'auth', proof: proof(session.keys, th, 'initiator') } as AuthFrame;
  return [{ phase: 'awaitingAuth', params, session }, [sendFrame(auth)]];
};

// ← auth {proof_R}   → message {header, message, security}   or   → bye
const onAuth = (state: In<'awaitingAuth'>, auth: AuthFrame, deps: ActorDeps): Out => {
  const { params, session } = state;
  if (!macEquals(proof(session.keys, session.th, 'responder'), auth.proof)) {
    return fail(state, 'auth_failed', 'the peer could not prove that it knows the shared password');
  }
  if (params.intent.kind === 'probe') {
    const done: InitiatorEvent = { kind: 'probe_ok', peer: session.responder };
    return [{ phase: 'closed', outcome: done }, [sendFrame({ type: 'bye' }), emit(done), close()]];
  }
  const { msgId, text } = params.intent;
  const header = {
    msg_id: msgId,
    from: session.initiator,
    to: session.responder,
    timestamp: deps.now().toISOString(),
  } as Parameters<typeof seal>[2];
  const frame = seal(session.keys, session.th, header, text);
  return [{ phase: 'awaitingAck', params, session, msgId }, [sendFrame(frame)]];
};

// ← ack {msg_id, status, hmac}
const onAck = (state: In<'awaitingAck'>, ack: AckFrame): Out => {
  const { session, msgId } = state;
  const expected = ackMac(session.keys, session.th, msgId, ack.status);
  if (ack.msg_id !== msgId || !macEquals(expected, ack.hmac)) {
    return fail(state, 'bad_mac', 'the acknowledgement did not verify');
  }
  if (ack.status !== 'delivered') {
    return fail(state, 'unexpected_frame', `the peer acknowledged with status ${ack.status}`);
  }
  const done: InitiatorEvent = { kind: 'delivered', msgId, peer: session.responder };
  return [{ phase: 'closed', outcome: done }, [emit(done), close()]];
};

/** One step of the initiator: the state after `input`, and what to do. */
export const stepInitiator = (state: InitiatorState, input: Inbound, deps: ActorDeps): Out => {
  if (state.phase === 'closed') return [state, []];
  const report = failureReport(state);
  if (isInterruption(input)) return finish(interrupted(input, report));
  const { frame } = input as Extract<Inbound, { kind: 'frame' }>;
  switch (state.phase) {
    case 'awaitingHello':
      return frame.type === 'hello' ? onHello(state, frame, deps) : wrongFrame('hello');
    case 'awaitingDh':
      return frame.type === 'dh' ? onDh(state, frame) : wrongFrame('dh');
    case 'awaitingAuth':
      return frame.type === 'auth' ? onAuth(state, frame, deps) : wrongFrame('auth');
    case 'awaitingAck':
      return frame.type === 'ack' ? onAck(state, frame) : wrongFrame('ack');
  }
  function wrongFrame(expected: FrameType): Out {
    return finish(unexpected([expected], frame.type, report));
  }
};

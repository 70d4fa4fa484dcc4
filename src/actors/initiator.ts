/**
 * The initiator of parley/1 as a pure state machine: it opens the exchange to deliver one
 * message (or to probe presence) and reports delivery only after a verified ack.
 *
 *   hello → (hello) → dh → (dh) → auth → (auth) → message → (ack)    or    … → bye
 *
 * The fast order (offered in our hello, taken when the responder's hello echoes the group):
 *   hello{group} → (hello{group}) (dh) → dh auth [message | bye with cpace-ristretto255]
 *     → (auth) → [message | bye with modp14, x25519] → (ack)
 * The message goes out before proof_R only with CPace, whose share tested at most one guess.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ErrorCode } from '../codecs/errors.js';
import {
  type Group,
  mint,
  type Nonce,
  Timestamp,
  type Username,
  type Uuid,
} from '../codecs/formats.js';
import {
  type AckFrame,
  type AuthFrame,
  authFrame,
  BYE,
  type DhFrame,
  dhFrame,
  type HelloFrame,
  helloFrame,
  ListenPort,
} from '../codecs/frames.js';
import { ackMac, listenMac, seal } from '../crypto/channel.js';
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
import type { ActorDeps, ActorLogic, Failure, Inbound, Session, Transition } from './types.js';

/** What to do once authenticated: deliver one message, or only prove presence. */
export type Intent =
  | {
      readonly kind: 'message';
      readonly msgId: Uuid;
      readonly text: string;
      /** When it was written (ms since the epoch), for its timestamp; else now. */
      readonly writtenAt?: number;
    }
  | { readonly kind: 'probe' };

export interface InitiatorParams {
  /** Our own username. */
  readonly self: Username;
  /** The directory entry's username, or undefined for a destination entered by hand. */
  readonly expectedPeer: Username | undefined;
  /** The user secret shared with that peer. */
  readonly secret: string;
  readonly group: Group;
  readonly intent: Intent;
  /**
   * Offer the fast order (the hello names `group`): taken by a responder that echoes it, and
   * lock-step as before with one that does not. The node offers it unless told not to.
   */
  readonly fast?: boolean;
  /** The port our node listens on, told in our auth under K_mac (the contact follows a move). */
  readonly listen?: number;
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

type Open =
  | { readonly phase: 'awaitingHello'; readonly params: InitiatorParams; readonly nonce: Nonce }
  | {
      readonly phase: 'awaitingDh';
      readonly params: InitiatorParams;
      readonly nonce: Nonce;
      readonly peerHello: HelloFrame;
      readonly keyPair: DhKeyPair;
      /** The responder took the fast order: our dh goes out with our proof, after its dh. */
      readonly fast: boolean;
    }
  | {
      readonly phase: 'awaitingAuth';
      readonly params: InitiatorParams;
      readonly session: Session;
      /** Set when the message (or bye) went out with our proof (the fast order, CPace). */
      readonly early: Early | undefined;
    }
  | {
      readonly phase: 'awaitingAck';
      readonly params: InitiatorParams;
      readonly session: Session;
      readonly msgId: Uuid;
    };

/** What went out with our proof in the fast order: the message (its id) or a bye. */
type Early = { readonly kind: 'message'; readonly msgId: Uuid } | { readonly kind: 'probe' };

export type InitiatorState = Open | Closed<InitiatorEvent>;

type Out = Transition<InitiatorState, InitiatorEvent>;
type In<P extends Open['phase']> = Extract<Open, { phase: P }>;

const peerName = (state: Open): string | undefined => {
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

const failureReport =
  (state: Open): Reporter<InitiatorEvent> =>
  (failure) => ({
    kind: 'failed',
    failure,
    step: state.phase,
    delivery: mayHaveReceived(state, failure) ? 'unknown' : 'not_delivered',
    peer: peerName(state),
  });

/**
 * Whether the peer may have the message: once it is written, unless (the fast order with
 * CPace) the peer refused us with an error frame before proving itself. A responder checks
 * proof_I before anything and never decrypts after a wrong one, and an impostor cannot read
 * it; so a wrong password reads as in lock-step: not delivered (and the message pauses).
 */
const mayHaveReceived = (state: Open, failure: Failure): boolean =>
  state.phase === 'awaitingAck' ||
  (state.phase === 'awaitingAuth' &&
    state.early?.kind === 'message' &&
    failure.cause !== 'peer_error');

const fail = (state: Open, code: ErrorCode, message: string): Out =>
  reject(code, message, failureReport(state));

// → hello {from, to, nonce[, group]}
export const startInitiator = (params: InitiatorParams, deps: ActorDeps): Out => {
  const nonce = freshNonce(deps);
  const offer = params.fast === true ? params.group : undefined;
  const hello = helloFrame(params.self, params.expectedPeer ?? null, nonce, offer);
  return [{ phase: 'awaitingHello', params, nonce }, [sendFrame(hello)]];
};

// ← hello {from, to, nonce}   → dh {group, public}          (lock-step)
// ← hello {from, to, nonce, group}   (and wait for its dh)   (the fast order, taken)
const onHello = (state: In<'awaitingHello'>, hello: HelloFrame, deps: ActorDeps): Out => {
  const { params } = state;
  const version = versionError(hello);
  if (version) return fail(state, version.code, version.message);
  if (params.expectedPeer !== undefined && hello.from !== params.expectedPeer) {
    return fail(
      state,
      'unknown_recipient',
      `the peer at that address is ${hello.from}, not ${params.expectedPeer}`,
    );
  }
  const offered = params.fast === true;
  // A responder only ever echoes our offer; any other group in its hello is a fault.
  if (hello.group !== undefined && (!offered || hello.group !== params.group)) {
    return fail(
      state,
      'unsupported_group',
      `asked for ${params.group}, the peer's hello answered ${hello.group}`,
    );
  }
  const fast = hello.group !== undefined;
  // After the responder's hello: CPace's generator needs its nonce and name.
  const keyPair = deps.keyPair(params.group, {
    secret: params.secret,
    initiator: params.self,
    responder: hello.from,
    initiatorNonce: state.nonce,
    responderNonce: hello.nonce,
  });
  const next: Out[0] = {
    phase: 'awaitingDh',
    params,
    nonce: state.nonce,
    peerHello: hello,
    keyPair,
    fast,
  };
  return [next, fast ? [] : [sendFrame(dhFrame(params.group, keyPair.publicHex))]];
};

// ← dh {group, public}   → auth {proof_I}
//   the fast order: → dh {group, public} auth {proof_I} [message or bye, CPace only]
const onDh = (state: In<'awaitingDh'>, dh: DhFrame, deps: ActorDeps): Out => {
  const { params, keyPair, peerHello, fast } = state;
  if (dh.group !== params.group) {
    return fail(
      state,
      'unsupported_group',
      `asked for ${params.group}, the peer answered ${dh.group}`,
    );
  }
  const session = establish(
    'initiator',
    keyPair,
    { name: params.self, nonce: state.nonce },
    { name: peerHello.from, nonce: peerHello.nonce, publicHex: dh.public },
    params.group,
    params.secret,
  );
  if (E.isLeft(session)) return fail(state, session.left.code, session.left.message);
  const { keys, th } = session.right;
  const auth = sendFrame<InitiatorEvent>(
    authFrame(proof(keys, th, 'initiator'), listenOf(params, session.right)),
  );
  if (!fast)
    return [{ phase: 'awaitingAuth', params, session: session.right, early: undefined }, [auth]];
  const ours = sendFrame<InitiatorEvent>(dhFrame(params.group, keyPair.publicHex));
  // modp14, x25519: the message waits for proof_R (proof_I alone lets an impostor test guesses
  // offline, then read it). CPace: the responder's share tested one guess at most.
  if (params.group !== 'cpace-ristretto255') {
    return [
      { phase: 'awaitingAuth', params, session: session.right, early: undefined },
      [ours, auth],
    ];
  }
  const [intentFrame, early] = intentOut(params, session.right, deps);
  return [
    { phase: 'awaitingAuth', params, session: session.right, early },
    [ours, auth, intentFrame],
  ];
};

/** Our auth's `listen` (the port, under K_mac and TH), when our node listens. */
const listenOf = (params: InitiatorParams, session: Session) =>
  params.listen === undefined || !ListenPort.is(params.listen)
    ? undefined
    : { port: params.listen, hmac: listenMac(session.keys, session.th, params.listen) };

/** The frame that carries the intent (the sealed message, or bye) and what it was. */
const intentOut = (
  params: InitiatorParams,
  session: Session,
  deps: ActorDeps,
): readonly [ReturnType<typeof sendFrame<InitiatorEvent>>, Early] => {
  if (params.intent.kind === 'probe') return [sendFrame(BYE), { kind: 'probe' }];
  const { msgId, text, writtenAt } = params.intent;
  // The time it was written, not of this attempt: a message that waited says so.
  const at = writtenAt === undefined ? deps.now() : new Date(writtenAt);
  const header = {
    msg_id: msgId,
    from: session.initiator,
    to: session.responder,
    timestamp: mint(Timestamp, at.toISOString()),
  };
  return [sendFrame(seal(session.keys, session.th, header, text)), { kind: 'message', msgId }];
};

// ← auth {proof_R}   → message {header, message, security}   or   → bye   (unless sent already)
const onAuth = (state: In<'awaitingAuth'>, auth: AuthFrame, deps: ActorDeps): Out => {
  const { params, session } = state;
  if (!macEquals(proof(session.keys, session.th, 'responder'), auth.proof)) {
    return fail(state, 'auth_failed', 'the peer could not prove that it knows the shared password');
  }
  const [frame, early] =
    state.early === undefined ? intentOut(params, session, deps) : [undefined, state.early];
  if (early.kind === 'probe') {
    const bye = frame === undefined ? [] : [frame];
    return end({ kind: 'probe_ok', peer: session.responder }, { before: bye });
  }
  const next: Out[0] = { phase: 'awaitingAck', params, session, msgId: early.msgId };
  return [next, frame === undefined ? [] : [frame]];
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
  return end({ kind: 'delivered', msgId, peer: session.responder });
};

const handlers = (deps: ActorDeps): Handlers<Open, InitiatorEvent> => ({
  awaitingHello: { hello: (s, f) => onHello(s, f, deps) },
  awaitingDh: { dh: (s, f) => onDh(s, f, deps) },
  awaitingAuth: { auth: (s, f) => onAuth(s, f, deps) },
  awaitingAck: { ack: onAck },
});

const stepFor = stepsPerDeps((deps: ActorDeps) => dispatcher(handlers(deps), failureReport));

/** One step of the initiator: the state after `input`, and what to do. */
export const stepInitiator = (state: InitiatorState, input: Inbound, deps: ActorDeps): Out =>
  stepFor(deps)(state, input);

/** The initiator for one exchange, its step table built once. */
export const initiatorLogic = (
  params: InitiatorParams,
  deps: ActorDeps,
): ActorLogic<InitiatorState, InitiatorEvent> => ({
  // Drawn when run: building the logic is pure.
  start: () => startInitiator(params, deps),
  step: stepFor(deps),
});

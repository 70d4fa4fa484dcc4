/**
 * The joiner of parley-invite/1 (the initiator) as a pure state machine: it connects with the
 * code the user typed, proves it by CPace, tells its listening port, and files the inviter
 * only after the inviter proved the code too and its welcome verified; `joined` goes out
 * only once the node filed it.
 *
 *   hello{invite} → (hello{invite}) (dh) → dh auth join → (auth) → (welcome)
 *     → [file_contact] → (filed) → joined
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ErrorCode } from '../codecs/errors.js';
import { MacHex, mint, type Nonce, type Username } from '../codecs/formats.js';
import {
  type AuthFrame,
  authFrame,
  type DhFrame,
  dhFrame,
  type HelloFrame,
  helloFrame,
  joinedFrame,
  joinFrame,
  type WelcomeFrame,
} from '../codecs/frames.js';
import type { DhKeyPair } from '../crypto/dh.js';
import { macEquals } from '../crypto/schedule.js';
import {
  inviteProof,
  isPort,
  joinedMac,
  joinMac,
  openSecret,
  secretPassword,
  welcomeMac,
} from '../invite/schedule.js';
import type { JoinFailure } from '../invite/types.js';
import { type Closed, end, type Reporter, reject, sendFrame } from './common.js';
import { dispatcher, freshNonce, type Handlers, stepsPerDeps, versionError } from './handshake.js';
import { establishInvite, INVITE_GROUP, inviteBinding } from './invite-common.js';
import type { ActorDeps, ActorLogic, Failure, Inbound, Session, Transition } from './types.js';

export interface JoinerParams {
  /** Our own username (the inviter files us under it). */
  readonly self: Username;
  /** The code as typed, already normalised (src/invite/code.ts). */
  readonly code: string;
  /** The port our node listens on, told in the join frame. */
  readonly listen: number;
}

export type JoinerPhase =
  | 'awaitingHello'
  | 'awaitingDh'
  | 'awaitingAuth'
  | 'awaitingWelcome'
  | 'filing'
  | 'closed';

export type JoinerEvent =
  /** The inviter is filed (the node adds the address it connected to). */
  | { readonly kind: 'joined'; readonly username: Username; readonly port: number }
  | {
      readonly kind: 'failed';
      /** What it means for the user (src/invite/types.ts). */
      readonly code: JoinFailure;
      readonly failure: Failure;
      readonly step: JoinerPhase;
    };

type Open =
  | { readonly phase: 'awaitingHello'; readonly params: JoinerParams; readonly nonce: Nonce }
  | {
      readonly phase: 'awaitingDh';
      readonly params: JoinerParams;
      readonly nonce: Nonce;
      readonly peerHello: HelloFrame;
      readonly keyPair: DhKeyPair;
    }
  | { readonly phase: 'awaitingAuth'; readonly params: JoinerParams; readonly session: Session }
  | { readonly phase: 'awaitingWelcome'; readonly params: JoinerParams; readonly session: Session }
  | {
      readonly phase: 'filing';
      readonly params: JoinerParams;
      readonly session: Session;
      readonly port: number;
    };

export type JoinerState = Open | Closed<JoinerEvent>;
type Out = Transition<JoinerState, JoinerEvent>;
type In<P extends Open['phase']> = Extract<Open, { phase: P }>;

/**
 * The inviter's refusals, as the user reads them; any other error is a protocol failure.
 * `busy` and `rate_limited` are refusals any node makes before it answers a hello (its
 * connection cap, its guard, an inviter's one joiner at a time): they say nothing of whether
 * it speaks invites, and the code was not tried.
 */
const REFUSALS: Readonly<Record<string, JoinFailure>> = {
  auth_failed: 'wrong_code',
  invite_burnt: 'burnt',
  no_invite: 'no_invite',
  name_taken: 'name_taken',
  busy: 'busy',
  rate_limited: 'rate_limited',
};

const NOT_SUPPORTED = 'the peer does not speak parley-invite/1 (it answered as parley/1)';

/** What a failure means for the user, at this step. */
export const joinFailure = (phase: JoinerPhase, failure: Failure): JoinFailure => {
  switch (failure.cause) {
    case 'timeout':
      return 'timeout';
    case 'closed':
      return 'protocol';
    case 'rejected':
      return failure.message === NOT_SUPPORTED ? 'not_supported' : 'protocol';
    case 'peer_error': {
      const refusal = REFUSALS[failure.code];
      if (refusal !== undefined) return refusal;
      // Before any echo, an error is a parley/1 peer refusing the hello (unknown_recipient…).
      return phase === 'awaitingHello' ? 'not_supported' : 'protocol';
    }
  }
};

const failureReport =
  (state: Open): Reporter<JoinerEvent> =>
  (failure) => ({
    kind: 'failed',
    code: joinFailure(state.phase, failure),
    failure,
    step: state.phase,
  });

const fail = (state: Open, code: ErrorCode, message: string): Out =>
  reject(code, message, failureReport(state));

// → hello {from, to: null, nonce, invite: 1}
export const startJoiner = (params: JoinerParams, deps: ActorDeps): Out => {
  const nonce = freshNonce(deps);
  const hello = helloFrame(params.self, null, nonce, undefined, 1);
  return [{ phase: 'awaitingHello', params, nonce }, [sendFrame(hello)]];
};

// ← hello {from, to, nonce, invite: 1}   (and wait for its dh)
const onHello = (state: In<'awaitingHello'>, hello: HelloFrame, deps: ActorDeps): Out => {
  const { params, nonce } = state;
  // A parley/1 peer ignores `invite`: without the echo it would run a message handshake.
  if (hello.invite !== 1) return fail(state, 'unexpected_frame', NOT_SUPPORTED);
  const version = versionError(hello);
  if (version) return fail(state, version.code, version.message);
  if (hello.to !== params.self) {
    return fail(state, 'unexpected_frame', `the inviter's hello is for ${hello.to}, not us`);
  }
  const keyPair = deps.keyPair(
    INVITE_GROUP,
    inviteBinding(
      params.code,
      { name: params.self, nonce },
      { name: hello.from, nonce: hello.nonce },
    ),
  );
  return [{ phase: 'awaitingDh', params, nonce, peerHello: hello, keyPair }, []];
};

// ← dh {group, public}   → dh {public} auth {proof_I} join {port, hmac}   (one write)
const onDh = (state: In<'awaitingDh'>, dh: DhFrame): Out => {
  const { params, keyPair, peerHello, nonce } = state;
  if (dh.group !== INVITE_GROUP) {
    return fail(state, 'unsupported_group', `an invite uses ${INVITE_GROUP}, not ${dh.group}`);
  }
  const session = establishInvite(
    'initiator',
    keyPair,
    { name: params.self, nonce },
    { name: peerHello.from, nonce: peerHello.nonce, publicHex: dh.public },
    params.code,
  );
  if (E.isLeft(session)) return fail(state, session.left.code, session.left.message);
  const { keys, th } = session.right;
  return [
    { phase: 'awaitingAuth', params, session: session.right },
    [
      sendFrame(dhFrame(INVITE_GROUP, keyPair.publicHex)),
      sendFrame(authFrame(inviteProof(keys, th, 'initiator'))),
      sendFrame(joinFrame(params.listen, joinMac(keys, th, params.listen))),
    ],
  ];
};

// ← auth {proof_R}: the inviter knows the code too
const onAuth = (state: In<'awaitingAuth'>, auth: AuthFrame): Out => {
  const { session } = state;
  if (!macEquals(inviteProof(session.keys, session.th, 'responder'), auth.proof)) {
    return fail(state, 'auth_failed', 'the inviter could not prove that it knows the code');
  }
  return [{ phase: 'awaitingWelcome', params: state.params, session }, []];
};

// ← welcome {port, secret, hmac}   → [file_contact]   (the MAC before the decryption)
const onWelcome = (state: In<'awaitingWelcome'>, welcome: WelcomeFrame): Out => {
  const { session, params } = state;
  const expected = welcomeMac(session.keys, session.th, welcome.port, welcome.secret);
  if (!macEquals(expected, welcome.hmac)) {
    return fail(state, 'bad_mac', 'the welcome did not verify');
  }
  if (!isPort(welcome.port)) {
    return fail(state, 'unexpected_frame', `the inviter's port ${welcome.port} is not 1–65535`);
  }
  const secret = openSecret(session.keys, welcome.secret);
  if (E.isLeft(secret)) return fail(state, secret.left.code, secret.left.message);
  const fileIt = {
    kind: 'file_contact',
    username: session.responder,
    port: welcome.port,
    password: secretPassword(secret.right),
  } as const;
  return [{ phase: 'filing', params, session, port: welcome.port }, [fileIt]];
};

// [filed]   → joined {hmac}: only now, the inviter being filed, may it file us
const onFiled = (state: In<'filing'>): Out => {
  const { session, port } = state;
  const joined = joinedFrame(mint(MacHex, joinedMac(session.keys, session.th)));
  return end(
    { kind: 'joined', username: session.responder, port },
    { before: [sendFrame(joined)] },
  );
};

const handlers = (deps: ActorDeps): Handlers<Open, JoinerEvent> => ({
  awaitingHello: { hello: (s, f) => onHello(s, f, deps) },
  awaitingDh: { dh: onDh },
  awaitingAuth: { auth: onAuth },
  awaitingWelcome: { welcome: onWelcome },
  filing: { filed: onFiled },
});

const stepFor = stepsPerDeps((deps: ActorDeps) => dispatcher(handlers(deps), failureReport));

export const stepJoiner = (state: JoinerState, input: Inbound, deps: ActorDeps): Out =>
  stepFor(deps)(state, input);

/** The joiner for one invite exchange. */
export const joinerLogic = (
  params: JoinerParams,
  deps: ActorDeps,
): ActorLogic<JoinerState, JoinerEvent> => ({
  start: () => startJoiner(params, deps),
  step: stepFor(deps),
});

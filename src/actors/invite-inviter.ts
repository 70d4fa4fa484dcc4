/**
 * The inviter of parley-invite/1 (the responder side) as a pure state machine: it answers a
 * hello that asks for an invite, proves the code by CPace only to a joiner that proved it
 * first, hands over the fresh secret and our listening port, and files the joiner only once
 * its `joined` verified. The open invite lives in the node: the actor asks for it
 * (`invite_claim`), tells it a wrong code (`invite_wrong`), and asks it to file the joiner.
 *
 *   (hello{invite}) → [claimed, invite_claim] → [may_guess] → hello{invite} dh → (dh)
 *     → (auth) → (join) → auth welcome → (joined) → [file_contact] → (filed) → close
 *
 * A joiner whose name is a contact already is told so only after its proof verified: a
 * guesser without the code learns nothing of our directory (as parley/1 tells no stranger).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ErrorCode } from '../codecs/errors.js';
import type { Nonce, Username } from '../codecs/formats.js';
import {
  type AuthFrame,
  authFrame,
  type DhFrame,
  dhFrame,
  errorFrame,
  type HelloFrame,
  helloFrame,
  type JoinedFrame,
  type JoinFrame,
  welcomeFrame,
} from '../codecs/frames.js';
import type { DhKeyPair } from '../crypto/dh.js';
import { macEquals } from '../crypto/schedule.js';
import {
  inviteProof,
  isPort,
  joinedMac,
  joinMac,
  SECRET_BYTES,
  sealSecret,
  secretPassword,
  welcomeMac,
} from '../invite/schedule.js';
import { type Closed, end, type Reporter, reject, sendFrame } from './common.js';
import { dispatcher, freshNonce, type Handlers, stepsPerDeps, versionError } from './handshake.js';
import { establishInvite, INVITE_GROUP, inviteBinding } from './invite-common.js';
import type { ResponderConfig } from './responder-state.js';
import type {
  ActorDeps,
  Effect,
  Failure,
  GuessReason,
  Inbound,
  Session,
  Transition,
} from './types.js';

export type InviterPhase =
  | 'claiming'
  | 'askingBudget'
  | 'awaitingJoinerDh'
  | 'awaitingJoinerAuth'
  | 'countingWrong'
  | 'awaitingJoin'
  | 'awaitingJoined'
  | 'filingJoiner'
  | 'closed';

export type InviterEvent =
  /**
   * Refused: before any DH work (no invite open, another joiner), or, a name that is a
   * contact already, once the joiner proved the code.
   */
  | {
      readonly kind: 'invite_refused';
      readonly code: 'no_invite' | 'name_taken' | 'busy';
      readonly username: string;
      readonly message: string;
    }
  /** A wrong code was proved; 0 attempts left: the invite is burnt. */
  | { readonly kind: 'invite_wrong'; readonly username: string; readonly attemptsLeft: number }
  /** The joiner is filed (the node adds the address it came from). */
  | { readonly kind: 'invite_joined'; readonly username: Username; readonly port: number }
  | {
      readonly kind: 'invite_failed';
      readonly failure: Failure;
      readonly step: InviterPhase;
      readonly username: string;
    };

interface Claim {
  readonly config: ResponderConfig;
  readonly hello: HelloFrame;
}
interface Invitation extends Claim {
  readonly code: string;
  /** Our listening port, told in the welcome. */
  readonly port: number;
  /** The joiner's name is a contact already: refused once it proved the code, not before. */
  readonly nameTaken: boolean;
}
interface Joining {
  readonly hello: HelloFrame;
  readonly port: number;
  readonly nameTaken: boolean;
  readonly session: Session;
}

type Open =
  | ({ readonly phase: 'claiming' } & Claim)
  | ({ readonly phase: 'askingBudget' } & Invitation)
  | ({
      readonly phase: 'awaitingJoinerDh';
      readonly nonce: Nonce;
      readonly keyPair: DhKeyPair;
    } & Invitation)
  | ({ readonly phase: 'awaitingJoinerAuth' } & Joining)
  | { readonly phase: 'countingWrong'; readonly hello: HelloFrame }
  | ({ readonly phase: 'awaitingJoin' } & Joining)
  | ({
      readonly phase: 'awaitingJoined';
      readonly joinerPort: number;
      readonly secret: Buffer;
    } & Joining)
  | { readonly phase: 'filingJoiner'; readonly hello: HelloFrame; readonly joinerPort: number };

export type InviterState = Open | Closed<InviterEvent>;
type Out = Transition<InviterState, InviterEvent>;
type In<P extends Open['phase']> = Extract<Open, { phase: P }>;

const failureReport =
  (state: Open): Reporter<InviterEvent> =>
  (failure) => ({
    kind: 'invite_failed',
    failure,
    step: state.phase,
    username: state.hello.from,
  });

const fail = (state: Open, code: ErrorCode, message: string): Out =>
  reject(code, message, failureReport(state));

const guess = (state: Open, reason: GuessReason): Effect<InviterEvent> => ({
  kind: 'guess',
  username: state.hello.from,
  reason,
});

/** A failure after our DH work that charges one attempt to the node's guess budgets. */
const failCharged = (state: Open, reason: GuessReason, code: ErrorCode, message: string): Out => {
  const [next, effects] = fail(state, code, message);
  return [next, [guess(state, reason), ...effects]];
};

/** The message of a wrong code's `auth_failed` (unauthenticated: a hint, proof of nothing). */
export const wrongCodeMessage = (left: number): string =>
  `wrong code: ${left} attempt${left === 1 ? '' : 's'} left`;
export const BURNT_MESSAGE = 'wrong code: the invite is burnt; ask for a new code';

// ← hello {from, to: null, nonce, invite: 1}   → [claimed, invite_claim]
export const startInviting = (config: ResponderConfig, hello: HelloFrame): Out => {
  const state: Open = { phase: 'claiming', config, hello };
  const version = versionError(hello);
  if (version) return fail(state, version.code, version.message);
  if (hello.to !== null && hello.to !== config.self) {
    return fail(state, 'unknown_recipient', `this is ${config.self}, not ${hello.to}`);
  }
  return [
    state,
    [
      { kind: 'claimed', username: hello.from },
      { kind: 'invite_claim', username: hello.from },
    ],
  ];
};

// [invitation_refused]   → error {no_invite | busy}   (before any DH work, or an invite that
// ended while a wrong code was being counted)
const onRefused = (
  state: { readonly hello: HelloFrame },
  answer: Extract<Inbound, { kind: 'invitation_refused' }>,
): Out =>
  end(
    {
      kind: 'invite_refused',
      code: answer.code,
      username: state.hello.from,
      message: answer.message,
    },
    { before: [sendFrame(errorFrame(answer.code, answer.message))] },
  );

// [invitation {code, port}]   → [may_guess]: our key pair is work a guess is made with
const onInvitation = (
  state: In<'claiming'>,
  answer: Extract<Inbound, { kind: 'invitation' }>,
): Out => [
  {
    ...state,
    phase: 'askingBudget',
    code: answer.code,
    port: answer.port,
    nameTaken: answer.nameTaken,
  },
  [{ kind: 'may_guess', username: state.hello.from }],
];

// [budget {allowed}]   → hello {from, to, nonce, invite: 1}   dh {group, public}   (one write)
const onBudget = (state: In<'askingBudget'>, allowed: boolean, deps: ActorDeps): Out => {
  if (!allowed) return fail(state, 'rate_limited', 'too many failed attempts; try again later');
  const { config, hello, code } = state;
  const nonce = freshNonce(deps);
  const keyPair = deps.keyPair(
    INVITE_GROUP,
    inviteBinding(code, { name: hello.from, nonce: hello.nonce }, { name: config.self, nonce }),
  );
  return [
    { ...state, phase: 'awaitingJoinerDh', nonce, keyPair },
    [
      sendFrame(helloFrame(config.self, hello.from, nonce, undefined, 1)),
      sendFrame(dhFrame(INVITE_GROUP, keyPair.publicHex)),
    ],
  ];
};

// ← dh {group, public}
const onDh = (state: In<'awaitingJoinerDh'>, dh: DhFrame): Out => {
  if (dh.group !== INVITE_GROUP) {
    return failCharged(
      state,
      'refused_group',
      'unsupported_group',
      `an invite uses ${INVITE_GROUP}, not ${dh.group}`,
    );
  }
  const { config, hello, nonce, keyPair, code, port, nameTaken } = state;
  const session = establishInvite(
    'responder',
    keyPair,
    { name: config.self, nonce },
    { name: hello.from, nonce: hello.nonce, publicHex: dh.public },
    code,
  );
  if (E.isLeft(session)) {
    return failCharged(state, 'bad_share', session.left.code, session.left.message);
  }
  return [{ phase: 'awaitingJoinerAuth', hello, port, nameTaken, session: session.right }, []];
};

// ← auth {proof_I}: a wrong code is told to the invite, which says what is left; a taken
// name only now, to one that proved the code (a guesser learns nothing of our contacts)
const onAuth = (state: In<'awaitingJoinerAuth'>, auth: AuthFrame): Out => {
  const { session, hello } = state;
  if (macEquals(inviteProof(session.keys, session.th, 'initiator'), auth.proof)) {
    if (state.nameTaken) return refuseTakenName(hello);
    return [{ ...state, phase: 'awaitingJoin' }, []];
  }
  return [
    { phase: 'countingWrong', hello },
    [guess(state, 'proof_failed'), { kind: 'invite_wrong', username: hello.from }],
  ];
};

const refuseTakenName = (hello: HelloFrame): Out => {
  const message = `the inviter already has a contact named ${hello.from}`;
  return end(
    { kind: 'invite_refused', code: 'name_taken', username: hello.from, message },
    { before: [sendFrame(errorFrame('name_taken', message))] },
  );
};

// [attempts {left}]   → error {auth_failed "N attempts left" | invite_burnt}
const onAttempts = (state: In<'countingWrong'>, left: number): Out => {
  const burnt = left <= 0;
  return end(
    { kind: 'invite_wrong', username: state.hello.from, attemptsLeft: Math.max(0, left) },
    {
      before: [
        sendFrame(
          burnt
            ? errorFrame('invite_burnt', BURNT_MESSAGE)
            : errorFrame('auth_failed', wrongCodeMessage(left)),
        ),
      ],
    },
  );
};

// ← join {port, hmac}   → auth {proof_R}   welcome {port, secret, hmac}   (one write)
const onJoin = (state: In<'awaitingJoin'>, join: JoinFrame, deps: ActorDeps): Out => {
  const { session, port } = state;
  const { keys, th } = session;
  if (!macEquals(joinMac(keys, th, join.port), join.hmac)) {
    return fail(state, 'bad_mac', 'the join did not verify');
  }
  if (!isPort(join.port)) {
    return fail(state, 'unexpected_frame', `the joiner's port ${join.port} is not 1–65535`);
  }
  const secret = deps.randomBytes(SECRET_BYTES);
  const sealed = sealSecret(keys, secret);
  return [
    { ...state, phase: 'awaitingJoined', joinerPort: join.port, secret },
    [
      sendFrame(authFrame(inviteProof(keys, th, 'responder'))),
      sendFrame(welcomeFrame(port, sealed, welcomeMac(keys, th, port, sealed))),
    ],
  ];
};

// ← joined {hmac}   → [file_contact]: the joiner filed us; now we file it
const onJoined = (state: In<'awaitingJoined'>, joined: JoinedFrame): Out => {
  const { session, hello, joinerPort, secret } = state;
  if (!macEquals(joinedMac(session.keys, session.th), joined.hmac)) {
    return fail(state, 'bad_mac', 'the joined confirmation did not verify');
  }
  const fileIt = {
    kind: 'file_contact',
    // The joiner's username, as its hello said and the transcript hash binds.
    username: session.initiator,
    port: joinerPort,
    password: secretPassword(secret),
  } as const;
  return [{ phase: 'filingJoiner', hello, joinerPort }, [fileIt]];
};

// [filed]   → close
const onFiled = (state: In<'filingJoiner'>): Out =>
  end({ kind: 'invite_joined', username: state.hello.from, port: state.joinerPort });

const handlers = (deps: ActorDeps): Handlers<Open, InviterEvent> => ({
  claiming: { invitation: onInvitation, invitation_refused: onRefused },
  askingBudget: { budget: (s, a) => onBudget(s, a.allowed, deps) },
  awaitingJoinerDh: { dh: onDh },
  awaitingJoinerAuth: { auth: onAuth },
  // The join came in the same write as the wrong proof: it waits for nothing, and is dropped.
  countingWrong: {
    attempts: (s, a) => onAttempts(s, a.left),
    // The invite ended while this joiner was at it: nothing to count, no invite to burn.
    invitation_refused: onRefused,
    join: (s) => [s, []],
  },
  awaitingJoin: { join: (s, f) => onJoin(s, f, deps) },
  awaitingJoined: { joined: onJoined },
  filingJoiner: { filed: onFiled },
});

/** Our DH work done and no proof verified yet: ending now is charged `no_proof`. */
const atStake = (state: InviterState): boolean =>
  state.phase === 'awaitingJoinerDh' || state.phase === 'awaitingJoinerAuth';

/**
 * The step, with the charge no handler makes itself (as the responder's): an exchange that
 * ends after our key pair and before a proof verified costs one guess. The joiner closing
 * after its `joined` while we file it is no failure: the filing goes on.
 */
const charging =
  (step: (state: InviterState, input: Inbound) => Out) =>
  (state: InviterState, input: Inbound): Out => {
    if (state.phase === 'filingJoiner' && input.kind === 'end') return [state, []];
    const [next, effects] = step(state, input);
    // A taken name is refused once the proof verified: no guess to charge.
    const settled = effects.some(
      (e) => e.kind === 'guess' || (e.kind === 'emit' && e.event.kind === 'invite_refused'),
    );
    if (!atStake(state) || next.phase !== 'closed' || settled) return [next, effects];
    return [next, [guess(state as Open, 'no_proof'), ...effects]];
  };

const stepFor = stepsPerDeps((deps: ActorDeps) =>
  charging(dispatcher(handlers(deps), failureReport)),
);

/** One step of the inviter (after `startInviting` took the hello). */
export const stepInviter = (state: InviterState, input: Inbound, deps: ActorDeps): Out =>
  stepFor(deps)(state, input);

/** Whether a state is the inviter's (the node's responder hands a hello with `invite` over). */
export const isInviterState = (state: { readonly phase: string }): state is InviterState =>
  INVITER_PHASES.has(state.phase);

const INVITER_PHASES: ReadonlySet<string> = new Set<InviterPhase>([
  'claiming',
  'askingBudget',
  'awaitingJoinerDh',
  'awaitingJoinerAuth',
  'countingWrong',
  'awaitingJoin',
  'awaitingJoined',
  'filingJoiner',
]);

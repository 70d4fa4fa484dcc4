/**
 * The responder of parley/1 as a pure state machine: it answers one connection, verifies the
 * initiator before proving itself, and acknowledges a message only after its MAC verified and
 * the node has handed it to its reader and recorded it (so that an ack means "shown", and a
 * retry is shown once, even after a crash).
 *
 *   (hello) → [claimed, lookup] → hello → (dh) → dh → (auth) → [authenticated] auth
 *     → (message) → [deliver] → ack   or   … → (bye)
 *
 * The fast order (a hello offering `group`): hello + dh go out together after the lookup, then
 * (dh) and (auth) are taken as they come. Before work a guess is made with (a key pair, the
 * peer's share, a proof) it asks the node's budgets (`may_guess`); what it charges them is a
 * `guess` effect. It reads nothing of the node: the directory and the budgets answer through
 * the mailbox.
 */
import * as E from 'fp-ts/lib/Either.js';
import { type Group, isGroup } from '../codecs/formats.js';
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
import { ackMac, listenMac, open } from '../crypto/channel.js';
import type { DhKeyPair } from '../crypto/dh.js';
import { macEquals, proof } from '../crypto/schedule.js';
import { end, sendFrame } from './common.js';
import {
  dispatcher,
  establish,
  freshNonce,
  type Handlers,
  stepsPerDeps,
  versionError,
} from './handshake.js';
import { charging, fail, failCharged, failureReport, RATE_LIMITED } from './responder-charges.js';
import type {
  Asking,
  AwaitingAuth,
  AwaitingDh,
  Claimed,
  In,
  Open,
  Out,
  ReceivedMessage,
  ResponderConfig,
  ResponderDeps,
  ResponderEvent,
  ResponderState,
} from './responder-state.js';
import type { ActorLogic, Inbound } from './types.js';

export { RATE_LIMITED } from './responder-charges.js';
export type {
  ReceivedMessage,
  ResponderConfig,
  ResponderDeps,
  ResponderEvent,
  ResponderPhase,
  ResponderState,
} from './responder-state.js';

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

// ← auth {proof_I[, listen {port, hmac}]}   → [authenticated, listens] auth {proof_R}
// The initiator proves itself first; the port it tells is taken only once proof_I and the
// listen MAC both verified (a tampered one is bad_mac, and nothing is reported).
const onAuth = (state: AwaitingAuth, auth: AuthFrame): Out => {
  const { session, claimed } = state;
  if (!macEquals(proof(session.keys, session.th, 'initiator'), auth.proof)) {
    return failCharged(state, 'proof_failed', 'auth_failed', 'authentication failed');
  }
  const { listen } = auth;
  if (
    listen !== undefined &&
    !macEquals(listenMac(session.keys, session.th, listen.port), listen.hmac)
  ) {
    return fail(state, 'bad_mac', 'the listening port in the auth did not verify');
  }
  const username = claimed.hello.from;
  return [
    { phase: 'awaitingMessage', claimed, session },
    [
      { kind: 'authenticated', username },
      ...(listen === undefined ? [] : [{ kind: 'listens', username, port: listen.port } as const]),
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

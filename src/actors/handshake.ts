/**
 * The handshake both roles run, written once: fresh nonces, the version check, the session
 * set-up from the two hellos and the two DH values, and a dispatcher that routes each input
 * to the handler of the current phase (from one table per role, which is also what the
 * out-of-order answer lists as expected).
 */
import * as E from 'fp-ts/lib/Either.js';
import { type ProtocolError, protocolError } from '../codecs/errors.js';
import { type Group, mint, Nonce, type Username } from '../codecs/formats.js';
import type { Frame, FrameType, HelloFrame } from '../codecs/frames.js';
import type { DhKeyPair } from '../crypto/dh.js';
import { deriveKeys, type Role, transcriptHash } from '../crypto/schedule.js';
import { PROTOCOL_VERSION } from '../limits.js';
import { type Closed, interrupted, isInterruption, type Reporter, reject } from './common.js';
import type { ActorDeps, Inbound, Session, Transition } from './types.js';

/** A fresh 16-byte nonce, branded by its codec. */
export const freshNonce = (deps: Pick<ActorDeps, 'randomBytes'>): Nonce =>
  mint(Nonce, deps.randomBytes(16).toString('hex'));

/** parley/1 speaks version 1 only: any other is answered `version_unsupported`. */
export const versionError = (hello: HelloFrame): ProtocolError | undefined =>
  hello.version === PROTOCOL_VERSION
    ? undefined
    : protocolError('version_unsupported', `this peer speaks version ${PROTOCOL_VERSION}`);

/** One side of the handshake as the transcript records it. */
export interface Party {
  readonly name: Username;
  readonly nonce: Nonce;
  readonly publicHex: string;
}

/**
 * DHSK from our key pair and the peer's public value (or `bad_public_key`), then the session
 * keys and the transcript hash, the same for both roles.
 */
export const establish = (
  role: Role,
  keyPair: DhKeyPair,
  ours: Omit<Party, 'publicHex'>,
  theirs: Party,
  group: Group,
  secret: string,
): E.Either<ProtocolError, Session> => {
  const me: Party = { ...ours, publicHex: keyPair.publicHex };
  const [initiator, responder] = role === 'initiator' ? [me, theirs] : [theirs, me];
  return E.map((dhsk: Buffer) => ({
    initiator: initiator.name,
    responder: responder.name,
    keys: deriveKeys(secret, dhsk),
    th: transcriptHash({
      initiator: initiator.name,
      responder: responder.name,
      initiatorNonce: initiator.nonce,
      responderNonce: responder.nonce,
      group,
      initiatorPublic: initiator.publicHex,
      responderPublic: responder.publicHex,
    }),
  }))(keyPair.deriveShared(theirs.publicHex));
};

/** What a handler is given: the frame of its type, or the node's answer. */
type Given<K extends InputKey> = K extends FrameType
  ? Extract<Frame, { type: K }>
  : Extract<Inbound, { kind: K }>;
type InputKey = FrameType | Answer;
/** The node's answers to the actor's questions: never what a peer is told was expected. */
type Answer =
  | 'recorded'
  | 'contact'
  | 'budget'
  | 'filed'
  | 'invitation'
  | 'invitation_refused'
  | 'attempts';
const ANSWERS: readonly string[] = [
  'recorded',
  'contact',
  'budget',
  'filed',
  'invitation',
  'invitation_refused',
  'attempts',
];

/** For each open phase, the inputs it waits for and the handler of each. */
export type Handlers<S extends { readonly phase: string }, Ev> = {
  readonly [P in Exclude<S['phase'], 'closed'>]: {
    readonly [K in InputKey]?: (
      state: Extract<S, { phase: P }>,
      input: Given<K>,
    ) => Transition<S | Closed<Ev>, Ev>;
  };
};

const keyOf = (input: Exclude<Inbound, { kind: 'invalid' | 'end' | 'timeout' }>): InputKey =>
  input.kind === 'frame' ? input.frame.type : input.kind;

/**
 * A role's step from its table: an interruption ends the exchange; an input the phase waits
 * for goes to its handler; anything else is `unexpected_frame`, naming what was expected.
 */
export const dispatcher =
  <S extends { readonly phase: string }, Ev>(
    handlers: Handlers<S, Ev>,
    report: (state: S) => Reporter<Ev>,
  ) =>
  (state: S | Closed<Ev>, input: Inbound): Transition<S | Closed<Ev>, Ev> => {
    if (state.phase === 'closed') return [state, []];
    const open = state as S;
    if (isInterruption(input)) return interrupted(input, report(open));
    const key = keyOf(input);
    const table = handlers[open.phase as Exclude<S['phase'], 'closed'>] as Record<
      string,
      ((s: S, given: unknown) => Transition<S | Closed<Ev>, Ev>) | undefined
    >;
    const handler = table[key];
    if (handler) return handler(open, input.kind === 'frame' ? input.frame : input);
    const expected = Object.keys(table).filter((k) => !ANSWERS.includes(k));
    return reject(
      'unexpected_frame',
      `expected ${expected.join(' or ')}, got ${key}`,
      report(open),
    );
  };

/**
 * A role's step for a set of dependencies, its table built once per set: a node shares one
 * set among all its connections, so a connection costs no closures of its own here.
 */
export const stepsPerDeps = <D extends object, Step>(build: (deps: D) => Step) => {
  const built = new WeakMap<D, Step>();
  return (deps: D): Step => {
    let step = built.get(deps);
    if (step === undefined) {
      step = build(deps);
      built.set(deps, step);
    }
    return step;
  };
};

/**
 * Deterministic dependencies for the actors, built from the shared vectors, and the frames
 * each side of a vector exchange puts on the wire.
 */
import type { SchedulerLike } from 'rxjs';
import type { InitiatorParams, Intent } from '../../src/actors/initiator.js';
import type { ResponderConfig, ResponderDeps } from '../../src/actors/responder.js';
import type { ActorDeps, Inbound, Transition } from '../../src/actors/types.js';
import { GROUPS, mint, Username, Uuid } from '../../src/codecs/formats.js';
import type { AuthFrame, DhFrame, Frame, HelloFrame } from '../../src/codecs/frames.js';
import { createKeyPair } from '../../src/crypto/dh.js';
import { answerFrom, createDedupeMemory, type DedupeMemory } from '../../src/node/dedupe.js';
import type { PartyVector, VectorCase } from './vectors.js';

/** The fixed clock of the vectors, moved on by virtual time when a scheduler is given. */
export const vectorClock = (v: VectorCase, scheduler?: SchedulerLike) => (): Date =>
  new Date(Date.parse(v.message_frame.header.timestamp) + (scheduler?.now() ?? 0));

/** Random bytes that are not random: the party's nonce, then a fixed filler. */
const scriptedRandom = (party: PartyVector) => (size: number) =>
  size === 16 ? Buffer.from(party.nonce, 'hex') : Buffer.alloc(size, 0x5a);

export const partyDeps = (v: VectorCase, party: PartyVector, now = vectorClock(v)): ActorDeps => ({
  randomBytes: scriptedRandom(party),
  now,
  keyPair: (group, binding) => createKeyPair(group, binding, Buffer.from(party.private, 'hex')),
});

export const initiatorDeps = (v: VectorCase, now?: () => Date): ActorDeps =>
  partyDeps(v, v.initiator, now);

export const responderDeps = (
  v: VectorCase,
  { now }: { now?: () => Date } = {},
): ResponderDeps => ({
  ...partyDeps(v, v.responder, now),
  lookupSecret: (username) => (username === v.initiator.username ? v.secret : undefined),
});

/**
 * A step that answers its own `deliver` effects from `memory` within the same call, as the
 * driver's interpreter does: for tests that call steps by hand, without a driver.
 */
export const remembering =
  <S, Ev>(
    step: (s: S, i: Inbound) => Transition<S, Ev>,
    memory: DedupeMemory = createDedupeMemory(),
  ) =>
  (state: S, input: Inbound): Transition<S, Ev> => {
    const answer = answerFrom(memory);
    const effects = [];
    const pending: Inbound[] = [input];
    let current = state;
    while (pending.length > 0) {
      const [next, out] = step(current, pending.shift() as Inbound);
      current = next;
      effects.push(...out);
      for (const effect of out) {
        const reply = answer(effect);
        if (reply) pending.push(reply);
      }
    }
    return [current, effects];
  };

export const VECTOR_MESSAGE: (v: VectorCase) => Intent = (v) => ({
  kind: 'message',
  msgId: mint(Uuid, v.message_frame.header.msg_id),
  text: v.plaintext,
});

export const initiatorParams = (
  v: VectorCase,
  over: Partial<InitiatorParams> = {},
): InitiatorParams => ({
  self: mint(Username, v.initiator.username),
  expectedPeer: mint(Username, v.responder.username),
  secret: v.secret,
  group: v.group,
  intent: VECTOR_MESSAGE(v),
  ...over,
});

export const responderConfig = (v: VectorCase): ResponderConfig => ({
  self: mint(Username, v.responder.username),
  groups: GROUPS,
});

/** Every frame of the vector exchange, as each side writes it. */
export const vectorFrames = (v: VectorCase) => {
  const hello = (from: PartyVector, to: string | null): Frame =>
    ({ type: 'hello', version: 1, from: from.username, to, nonce: from.nonce }) as HelloFrame;
  const dh = (p: PartyVector): Frame =>
    ({ type: 'dh', group: v.group, public: p.public }) as DhFrame;
  const auth = (proof: string): Frame => ({ type: 'auth', proof }) as AuthFrame;
  return {
    helloI: hello(v.initiator, v.responder.username),
    helloR: hello(v.responder, v.initiator.username),
    dhI: dh(v.initiator),
    dhR: dh(v.responder),
    authI: auth(v.proof_initiator),
    authR: auth(v.proof_responder),
    message: v.message_frame as Frame,
    ack: v.ack_frame as Frame,
    bye: { type: 'bye' } as Frame,
  };
};

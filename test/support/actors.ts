/**
 * Deterministic dependencies for the actors, built from the shared vectors, and the frames
 * each side of a vector exchange puts on the wire.
 */
import type { SchedulerLike } from 'rxjs';
import type { InitiatorParams, Intent } from '../../src/actors/initiator.js';
import type { ResponderConfig, ResponderDeps } from '../../src/actors/responder.js';
import type { ActorDeps, Effect, Inbound, Transition } from '../../src/actors/types.js';
import { GROUPS, type Group, mint, Username, Uuid } from '../../src/codecs/formats.js';
import type { AuthFrame, DhFrame, Frame, HelloFrame } from '../../src/codecs/frames.js';
import { createKeyPair } from '../../src/crypto/dh.js';
import { answerFrom, createDedupeMemory, type DedupeMemory } from '../../src/node/dedupe.js';
import { type PartyVector, VECTORS, type VectorCase } from './vectors.js';

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

export const responderDeps = (v: VectorCase, { now }: { now?: () => Date } = {}): ResponderDeps =>
  partyDeps(v, v.responder, now);

/** How a test's node answers a `lookup`: the directory it pretends to hold. */
export type Lookup = (username: string) => Inbound;

/** The vector's directory: the initiator is a contact with the vector's secret, no pin. */
export const vectorLookup =
  (v: VectorCase, { secret = v.secret, group }: { secret?: string; group?: Group } = {}): Lookup =>
  (username) =>
    username === v.initiator.username
      ? { kind: 'contact', secret, group }
      : { kind: 'contact', secret: undefined };

/**
 * The node's answers to the responder's questions, as the interpreter gives them: `deliver`
 * from the dedupe memory, `lookup` from `lookup`, `may_guess` from `allowed` (yes unless told).
 */
export const responderAnswers = (
  v: VectorCase,
  {
    dedupe = createDedupeMemory(),
    lookup = vectorLookup(v),
    allowed = () => true,
  }: { dedupe?: DedupeMemory; lookup?: Lookup; allowed?: () => boolean } = {},
) => responderAnswer(dedupe, lookup, allowed);

export const responderAnswer =
  (dedupe: DedupeMemory, lookup: Lookup, allowed: () => boolean = () => true) =>
  <Ev>(effect: Effect<Ev>): Inbound | undefined => {
    if (effect.kind === 'lookup') return lookup(effect.username);
    if (effect.kind === 'may_guess') return { kind: 'budget', allowed: allowed() };
    return answerFrom(dedupe)(effect);
  };

/**
 * A step that answers its own questions (`deliver`, `lookup`, `may_guess`) within the same
 * call, as the driver's interpreter does: for tests that call steps by hand, without a driver.
 */
export const remembering =
  <S, Ev>(
    step: (s: S, i: Inbound) => Transition<S, Ev>,
    memory: DedupeMemory = createDedupeMemory(),
    v: VectorCase = VECTORS[0]!,
  ) =>
  (state: S, input: Inbound): Transition<S, Ev> => {
    const answer = responderAnswers(v, { dedupe: memory });
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

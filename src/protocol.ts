/**
 * parley as a library, second tier (`parley/protocol`): the pure protocol pieces, for those
 * who drive the actors themselves — marble tests with RxJS's TestScheduler, other transports.
 */

export type { DriverOptions } from './actors/driver.js';
export { runActor } from './actors/driver.js';
export type {
  InitiatorEvent,
  InitiatorParams,
  InitiatorPhase,
  InitiatorState,
  Intent,
} from './actors/initiator.js';
export { initiatorLogic, startInitiator, stepInitiator } from './actors/initiator.js';
export type {
  ReceivedMessage,
  ResponderConfig,
  ResponderDeps,
  ResponderEvent,
  ResponderPhase,
  ResponderState,
} from './actors/responder.js';
export { responderLogic, startResponder, stepResponder } from './actors/responder.js';
export { contactAnswer } from './actors/responder-state.js';
export type {
  ActorDeps,
  ActorLogic,
  Effect,
  Failure,
  GuessReason,
  Inbound,
  Report,
  Transition,
} from './actors/types.js';
// A responder asks its node (`lookup`, `may_guess`, `remember`) and reports to it; a driver of
// your own answers through `DriverOptions.answer` (contactAnswer, answerFrom) and may ignore
// the reports.
export { isReport } from './actors/types.js';
export type { ErrorCode, ProtocolError } from './codecs/errors.js';
export { Group, mint, Nonce, Username, Uuid } from './codecs/formats.js';
export type {
  AckFrame,
  AuthFrame,
  DhFrame,
  ErrorFrame,
  HelloFrame,
  MessageFrame,
} from './codecs/frames.js';
export { Frame } from './codecs/frames.js';
export { decodeLine, encodeFrame } from './codecs/line.js';
export type { DhKeyPair, GroupBinding, KeyPairFactory } from './crypto/dh.js';
export { createKeyPair } from './crypto/dh.js';
export {
  DEDUPE_WINDOW_MS,
  DEFAULT_STEP_DEADLINE_MS,
  MAX_FRAME_BYTES,
  MAX_PLAINTEXT_BYTES,
  MAX_SECRET_CHARS,
  MAX_USERNAME_CHARS,
  PROTOCOL_VERSION,
} from './limits.js';
export type { DedupeMemory } from './node/dedupe.js';
export { answerFrom, createDedupeMemory, dedupeKey } from './node/dedupe.js';
export type { Line } from './streams/framing.js';
export { frameLines } from './streams/framing.js';

/**
 * parley as a library, second tier (`parley/protocol`): the pieces, for those who drive the
 * actors themselves (marble tests with RxJS's TestScheduler, other transports) or build a
 * node of their own: actors and driver, codecs, framing, the state's reducer, the store's
 * files one by one.
 */

export type { Answer, DriverOptions } from './actors/driver.js';
export { runActor } from './actors/driver.js';
// parley-invite/1: the joiner, and the inviter a responder becomes on a hello with `invite`.
export type { IncomingEvent, IncomingState } from './actors/incoming.js';
export { incomingLogic } from './actors/incoming.js';
export type {
  InitiatorEvent,
  InitiatorParams,
  InitiatorPhase,
  InitiatorState,
  Intent,
} from './actors/initiator.js';
export { initiatorLogic, startInitiator, stepInitiator } from './actors/initiator.js';
export type { InviterEvent, InviterPhase, InviterState } from './actors/invite-inviter.js';
export type {
  JoinerEvent,
  JoinerParams,
  JoinerPhase,
  JoinerState,
} from './actors/invite-joiner.js';
export { joinerLogic } from './actors/invite-joiner.js';
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
// A responder asks its node (`lookup`, `may_guess`, `deliver`) and reports to it; a driver of
// your own answers through `DriverOptions.answer` (contactAnswer, answerFrom) and may ignore
// the reports.
export { isReport } from './actors/types.js';
export {
  Directory,
  EMPTY_DIRECTORY,
  findContact,
  serialiseDirectory,
} from './codecs/directory.js';
export type { ErrorCode, ProtocolError } from './codecs/errors.js';
export { DEFAULT_GROUP, GROUPS, Group, mint, Nonce, Username, Uuid } from './codecs/formats.js';
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
export type { AnswerOptions, DedupeMemory, DeliverySink } from './node/dedupe.js';
export { answerFrom, createDedupeMemory, dedupeKey } from './node/dedupe.js';
export { reportOf } from './node/jobs.js';
export { explainFailure } from './node/reports.js';
export { initialNodeState, reduceNodeState } from './node/state.js';
export type { Connection, ServerEvent, Transport } from './ports/ports.js';
export { createOutboxFile } from './store/outbox-file.js';
export { createSeenFile } from './store/seen-file.js';
export type { Line } from './streams/framing.js';
export { frameLines } from './streams/framing.js';

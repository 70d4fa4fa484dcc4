/**
 * parley as a library: a node to embed in a reactive app, and the pure protocol pieces for
 * those who drive the actors themselves (marble tests, other transports).
 */

export type { DedupeMemory } from './actors/dedupe.js';
export { createDedupeMemory } from './actors/dedupe.js';
export { runActor } from './actors/driver.js';
export type {
  InitiatorEvent,
  InitiatorParams,
  InitiatorPhase,
  InitiatorState,
  Intent,
} from './actors/initiator.js';
export { startInitiator, stepInitiator } from './actors/initiator.js';
export type {
  ReceivedMessage,
  ResponderConfig,
  ResponderDeps,
  ResponderEvent,
  ResponderPhase,
  ResponderState,
} from './actors/responder.js';
export { startResponder, stepResponder } from './actors/responder.js';
export type { ActorDeps, Effect, Failure, Inbound, Transition } from './actors/types.js';
export type { DirectoryEntry, DirectoryError } from './codecs/directory.js';
export { Directory, findContact, parseDirectory, serialiseDirectory } from './codecs/directory.js';
export type { ErrorCode, ProtocolError } from './codecs/errors.js';
export { DEFAULT_GROUP, GROUPS, Group } from './codecs/formats.js';
export { Frame } from './codecs/frames.js';
export { decodeLine, encodeFrame } from './codecs/line.js';
export type { DhKeyPair, GroupBinding, KeyPairFactory } from './crypto/dh.js';
export { createKeyPair } from './crypto/dh.js';
export * from './limits.js';
export type { AuthLimitOptions } from './node/defences.js';
export type { NodeEvent, NodeOptions, OutboxEntry, ParleyNode } from './node/node.js';
export { createNode, NodeStartError } from './node/node.js';
export type {
  Address,
  DeliveryReport,
  Destination,
  ProbeReport,
  SendFailure,
  SendJob,
} from './node/reports.js';
export { explainFailure } from './node/reports.js';
export { createSeenFile } from './node/seen-file.js';

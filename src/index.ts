/**
 * parley as a library, first tier: a node to embed in a reactive app. A handful of values —
 * `createNode` (an object to hold), `parley$` (the cold pipeline: sources in, events out) with
 * `resolveDeps` and the jobs it takes, the directory file's parser, and the ports' adapters
 * (TCP or memory transport, a name's files or memory store, the CSPRNG or a seeded random) —
 * and every type they name. The protocol's pieces (actors, driver, codecs, framing) are the
 * second tier, `parley/protocol`.
 */

// Every type the values above name.
export type { ReceivedMessage } from './actors/responder.js';
export type { ActorDeps, Failure } from './actors/types.js';
export type { LoadedDirectory } from './cli/directory-file.js';
export { readDirectoryFile } from './cli/directory-file.js';
export type { Directory, DirectoryEntry, DirectoryError } from './codecs/directory.js';
export { parseDirectory } from './codecs/directory.js';
export type { ProtocolError } from './codecs/errors.js';
export type { Group, Username } from './codecs/formats.js';
export type { CheckedDestination, InputError } from './codecs/inputs.js';
export type { DhKeyPair, GroupBinding, KeyPairFactory } from './crypto/dh.js';
export type { ParleyError } from './errors.js';
export type { Code } from './invite/code.js';
export { makeCode, normaliseCode, parseCode } from './invite/code.js';
export type {
  ContactSink,
  InviteEvent,
  InviteOptions,
  JoinEvent,
  JoinedContact,
  JoinFailure,
} from './invite/types.js';
export { INVITE_EXPIRES_MS, INVITE_MAX_WRONG } from './invite/types.js';
export type { DedupeMemory, DeliverySink } from './node/dedupe.js';
export type { AuthLimitOptions } from './node/defences.js';
export type { Epic, EpicDeps, StateObservable } from './node/epic.js';
export type { Job, MessageInput, MessageJob, MessageSummary } from './node/jobs.js';
export { messageJob, probeJob, retryJob } from './node/jobs.js';
export { partJobs } from './node/long-send.js';
// The node, hot and cold.
export { createNode } from './node/node.js';
export type { PipelineDeps } from './node/options.js';
export { resolveDeps } from './node/options.js';
export type {
  LineAction,
  LinesEpic,
  ParleyOutput,
  ParleySources,
  StateHolder,
} from './node/pipeline.js';
export { parley$ } from './node/pipeline.js';
export type {
  Address,
  DeliveryReport,
  Destination,
  ProbeReport,
  SendFailure,
  SendJob,
} from './node/reports.js';
export type { RetryPolicy } from './node/retry.js';
export type { NodeState, OutboxEntry } from './node/state.js';
export type { NodeEvent, NodeOptions, ParleyNode, Role } from './node/types.js';
export { NodeStartError } from './node/types.js';
export type {
  Clock,
  ConnectFailure,
  Connection,
  ConnectTo,
  ListenAt,
  Ports,
  Random,
  ServerEvent,
  Store,
  Transport,
} from './ports/ports.js';
export { cryptoRandom, seededRandom } from './ports/random.js';
export type { ChatMark, HistoryRecord, SentState } from './store/history-codec.js';
export { joinPartRecords } from './store/history-parts.js';
export type { HistoryQuery } from './store/history-read.js';
// A name's history (what was said), read without changing it; never a secret.
export { readHistory } from './store/history-read.js';
export type { HistoryStore } from './store/history-store.js';
export { memoryHistory } from './store/history-store.js';
export type { MemoryStoreOptions } from './store/memory.js';
export { memoryStore } from './store/memory.js';
export type { KeptOutbox, NameStore } from './store/name-store.js';
export { openNameStore } from './store/name-store.js';
export type { OutboxFileOptions, OutboxStore } from './store/outbox-file.js';
export type { Admit } from './store/outbox-inbox.js';
export type { Line } from './streams/framing.js';
export type { FrameTrace } from './streams/session.js';
export type { MemoryNetwork, MemoryNetworkOptions } from './transport/memory.js';
export { memoryNetwork } from './transport/memory.js';
// The ports' adapters.
export { tcpTransport } from './transport/tcp.js';

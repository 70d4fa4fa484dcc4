/**
 * parley as a library, first tier: a node to embed in a reactive app. `parley$` is the cold
 * pipeline (sources in, events out: compose it with your own streams); `createNode` is the
 * same pipeline made hot, for programs that want an object to hold. The protocol's pieces —
 * actors, driver, codecs, framing — are the second tier, `parley/protocol`.
 */

export type { ReceivedMessage } from './actors/responder.js';
export type { DirectoryEntry, DirectoryError } from './codecs/directory.js';
export {
  Directory,
  EMPTY_DIRECTORY,
  findContact,
  parseDirectory,
  serialiseDirectory,
} from './codecs/directory.js';
export { DEFAULT_GROUP, GROUPS, Group } from './codecs/formats.js';
export type { InputError } from './codecs/inputs.js';
export type { ParleyError } from './errors.js';
export type { DeliverySink } from './node/dedupe.js';
export type { AuthLimitOptions } from './node/defences.js';
export type { Job, MessageSummary } from './node/jobs.js';
export { messageJob, probeJob, reportOf, retryJob } from './node/jobs.js';
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
export { explainFailure } from './node/reports.js';
export { createSeenFile } from './node/seen-file.js';
export type { NodeState, OutboxEntry } from './node/state.js';
export { initialNodeState, reduceNodeState } from './node/state.js';
export type { NodeEvent, NodeOptions, ParleyNode } from './node/types.js';
export { NodeStartError } from './node/types.js';
export type { ServerEvent } from './streams/tcp.js';
export { listen$ } from './streams/tcp.js';

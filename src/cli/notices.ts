/**
 * What the console tells its user about incoming connections besides messages, and the
 * protocol trace of --verbose. Both are built from the node's events, never from secrets or
 * message text.
 */
import type { ResponderEvent } from '../actors/responder.js';
import { printable, printableText } from '../codecs/printable.js';
import { MAX_SHOWN_PEER_CODE, MAX_USERNAME_CHARS } from '../limits.js';
import type { NodeEvent } from '../node/node.js';
import type { Address, DeliveryReport, ProbeReport, SendFailure } from '../node/reports.js';

type Rejected = Extract<ResponderEvent, { kind: 'rejected' }>;

/** A name a peer claimed: the codecs refuse unsafe ones; this holds if they did not. */
const claimed = (name: string): string => printable(name, MAX_USERNAME_CHARS);

const isWrongPassword = (e: Rejected): boolean =>
  e.failure.cause === 'rejected' && e.failure.code === 'auth_failed';

/**
 * A notice worth interrupting the person for, with or without --verbose: an internal error
 * (a seen file that cannot be written, say: messages are refused until it is fixed), or
 * someone who tried to reach us with a password that did not match, or how far a long
 * message has come (its parts are shown together once all are here).
 */
export const describeIncoming = (event: NodeEvent): string | undefined => {
  if (event.kind === 'error') {
    const what = event.code === 'internal' ? 'internal error' : `error ${event.code}`;
    return `! ${what}: ${printableText(event.message)}`;
  }
  if (event.kind === 'part') {
    return `${claimed(event.from)} is sending a long message: ${event.have} of ${event.n} parts`;
  }
  if (event.kind !== 'incoming' || event.event.kind !== 'rejected') return undefined;
  const rejected = event.event;
  if (!isWrongPassword(rejected) || rejected.peer === undefined) return undefined;
  const name = claimed(rejected.peer);
  const who = rejected.stranger
    ? `someone at ${event.remote} calling themselves ${name} (not in your directory)`
    : `${name} (from ${event.remote})`;
  return `! ${who} tried to reach you, but the password did not match`;
};

/** `peer_error busy`: the code may be any string a peer sent, so it is made printable. */
const failureCode = (f: SendFailure): string =>
  'code' in f ? `${f.cause} ${printable(f.code, MAX_SHOWN_PEER_CODE)}` : f.cause;

const addressText = (to: Address): string =>
  to.username === undefined ? `${to.host}:${to.port}` : `${to.username} ${to.host}:${to.port}`;

const deliveryTrace = (jobId: number, r: DeliveryReport): string =>
  r.outcome === 'delivered'
    ? `out #${jobId} message ${r.msgId} to ${addressText(r.to)}: ack verified, peer ${claimed(r.peer)}, ${r.elapsedMs} ms`
    : `out #${jobId} message ${r.msgId} to ${addressText(r.to)}: ${r.outcome} (${failureCode(r.failure)}) after ${r.elapsedMs} ms`;

const probeTrace = (jobId: number, r: ProbeReport): string =>
  r.outcome === 'online'
    ? `out #${jobId} probe of ${addressText(r.to)}: online, peer ${claimed(r.peer)}, ${r.elapsedMs} ms`
    : `out #${jobId} probe of ${addressText(r.to)}: ${r.outcome} (${failureCode(r.failure)}) after ${r.elapsedMs} ms`;

const incomingTrace = (remote: string, e: ResponderEvent): string => {
  switch (e.kind) {
    case 'received': {
      const bytes = Buffer.byteLength(e.message.text, 'utf8');
      return `in  ${remote} message ${e.message.msgId} from ${claimed(e.message.from)}: MAC verified, ${bytes} bytes, ack sent`;
    }
    case 'duplicate':
      return `in  ${remote} message ${e.msgId} from ${claimed(e.from)}: seen before, acknowledged again, not shown`;
    case 'presence':
      return `in  ${remote} probe from ${claimed(e.from)}: authenticated, bye`;
    case 'rejected': {
      const peer =
        e.peer === undefined
          ? ''
          : ` (says it is ${claimed(e.peer)}${e.stranger ? ', not a contact' : ''})`;
      return `in  ${remote}${peer} ended at ${e.step}: ${failureCode(e.failure)}`;
    }
  }
};

/** One line of the protocol trace: frames (with `trace: true`), outcomes, refusals. */
export const traceLine = (event: NodeEvent): string | undefined => {
  switch (event.kind) {
    case 'contacts':
    case 'queued':
    case 'restored':
      return undefined; // bookkeeping: the outcome that follows says what matters
    case 'listening':
      return `listening on ${event.host}:${event.port}`;
    case 'incoming':
      return incomingTrace(event.remote, event.event);
    case 'part':
      return `in  ${event.remote} part ${event.k}/${event.n} of message ${event.groupId} from ${claimed(event.from)}: MAC verified, kept, ack sent (${event.have} of ${event.n} here)`;
    case 'refused':
      return `in  ${event.remote} refused: ${event.code}`;
    case 'delivery':
      return deliveryTrace(event.jobId, event.report);
    case 'probe':
      return probeTrace(event.jobId, event.report);
    case 'error':
      return `error ${event.code}: ${printableText(event.message)}`;
    case 'frame': {
      // As initiator we wrote to `remote`; as responder it wrote to us.
      const arrow = event.direction === 'in' ? '<-' : '->';
      return `${event.direction.padEnd(3)} ${event.remote} ${arrow} ${event.type} frame, ${event.bytes} bytes (as ${event.role})`;
    }
  }
};

/** `12:00:01.234 +1.502s`: the wall clock, and the time since parley started. */
export const traceStamp = (at: Date, startedAt: Date): string => {
  const since = ((at.getTime() - startedAt.getTime()) / 1000).toFixed(3);
  return `${at.toISOString().slice(11, 23)} +${since}s`;
};

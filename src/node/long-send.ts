/**
 * Sending a long text (see parts.ts): one job per part, submitted in order so that the
 * contact's lane sends them in order, and one report for the whole: delivered once every part
 * was acknowledged, else the first part that was not (its reason says which part).
 */
import * as E from 'fp-ts/lib/Either.js';
import { forkJoin, map, type Observable } from 'rxjs';
import type { Group } from '../codecs/formats.js';
import type { InputError } from '../codecs/inputs.js';
import { parleyError } from '../errors.js';
import { type Job, type MessageInput, messageJob } from './jobs.js';
import { groupIdOf, partMsgId, splitText, whyNotParts } from './parts.js';
import type { DeliveryReport, SendJob } from './reports.js';

export interface PartReport {
  readonly msgId: string;
  readonly text: string;
  readonly report: DeliveryReport;
}

export interface LongReport {
  /** The whole text's report, under the group's id. */
  readonly report: DeliveryReport;
  readonly parts: readonly PartReport[];
}

/** One report for all the parts. */
export const wholeReport = (groupId: string, parts: readonly PartReport[]): DeliveryReport => {
  const n = parts.length;
  const elapsedMs = Math.max(0, ...parts.map((p) => p.report.elapsedMs));
  const failed = parts.findIndex((p) => p.report.outcome !== 'delivered');
  if (failed < 0) return { ...parts[n - 1]!.report, msgId: groupId, elapsedMs };
  const r = parts[failed]!.report as Extract<
    DeliveryReport,
    { outcome: 'not_delivered' | 'unknown' }
  >;
  const after = n - failed === 1 ? '' : ` (and ${n - failed - 1} after it)`;
  const reason = `part ${failed + 1} of ${n}${after}: ${r.reason}`;
  return { ...r, msgId: groupId, reason, elapsedMs };
};

/**
 * The parts as jobs, each sent by `send` (subscribed in order, at once), and their reports;
 * undefined when the text is too long even for parts (see `whyNotParts`).
 */
export const sendInParts = (
  send: (job: SendJob) => Observable<DeliveryReport>,
  job: SendJob,
  groupId: string,
): Observable<LongReport> | undefined => {
  const texts = splitText(job.text);
  if (texts === undefined) return undefined;
  const jobs = texts.map((text, i) => ({ ...job, text, msgId: partMsgId(groupId, i + 1) }));
  return forkJoin(
    jobs.map((j) => send(j).pipe(map((report) => ({ msgId: j.msgId, text: j.text, report })))),
  ).pipe(map((parts) => ({ report: wholeReport(groupId, parts), parts })));
};

/**
 * A long text as its part jobs (for a caller that queues jobs itself, as the console does),
 * numbered by `nextId`, under a group id made from `newMsgId`; or why not, in words.
 */
export const partJobs = (
  nextId: () => number,
  input: MessageInput,
  defaults: { readonly group: Group; readonly newMsgId: () => string },
): E.Either<InputError, { readonly groupId: string; readonly jobs: readonly Job[] }> => {
  const texts = splitText(input.text);
  if (texts === undefined)
    return E.left(parleyError('invalid_input', whyNotParts(input.text) ?? ''));
  const groupId = groupIdOf(defaults.newMsgId());
  const made = E.sequenceArray(
    texts.map((text, i) =>
      messageJob(nextId(), { ...input, text, msgId: partMsgId(groupId, i + 1) }, defaults),
    ),
  );
  return E.map((jobs: readonly Job[]) => ({ groupId, jobs }))(made);
};

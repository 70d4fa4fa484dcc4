/**
 * Telling the contacts we are up: at start, an authenticated probe to each contact (the first
 * ANNOUNCE_MAX_CONTACTS of the directory), ANNOUNCE_AT_ONCE at a time. A contact that holds
 * messages for us learns from the verified probe that we are back, and sends them at once
 * instead of waiting out its backoff (its retry.ts takes an incoming presence as "online").
 * Quiet: the reports are ordinary `probe` events, of job ids no caller uses (negative).
 */
import * as E from 'fp-ts/lib/Either.js';
import { defer, EMPTY, filter, from, merge, mergeMap, type Observable, take } from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import type { Group } from '../codecs/formats.js';
import { ANNOUNCE_AT_ONCE, ANNOUNCE_MAX_CONTACTS } from '../limits.js';
import { type Job, probeJob } from './jobs.js';
import { destinationOf } from './reports.js';
import type { NodeEvent } from './types.js';

export interface AnnounceLimits {
  readonly maxContacts: number;
  readonly atOnce: number;
}

const DEFAULT_LIMITS: AnnounceLimits = {
  maxContacts: ANNOUNCE_MAX_CONTACTS,
  atOnce: ANNOUNCE_AT_ONCE,
};

/**
 * The probes, each of the first `atOnce` at once, each of the rest once one of them has its
 * report (from `event$`, the pipeline's own events); completes when the last is handed out.
 */
export const announce$ = (
  self: string,
  directory: Directory,
  group: Group,
  event$: Observable<NodeEvent>,
  nextId: () => number,
  limits: AnnounceLimits = DEFAULT_LIMITS,
): Observable<Job> =>
  defer(() => {
    const others = directory.filter((c) => c.username !== self);
    const probes = others.slice(0, limits.maxContacts).flatMap((contact) => {
      const job = probeJob(nextId(), destinationOf(contact), group);
      return E.isRight(job) ? [job.right] : [];
    });
    if (probes.length === 0) return EMPTY;
    const ours = new Set(probes.map((p) => p.id));
    let handedOut = Math.min(limits.atOnce, probes.length);
    const rest$ = event$.pipe(
      filter((e) => e.kind === 'probe' && ours.has(e.jobId)),
      take(probes.length - handedOut),
      mergeMap(() => (handedOut < probes.length ? [probes[handedOut++] as Job] : [])),
    );
    // Listening for reports before the first probes go: a report may come at once.
    return probes.length > handedOut
      ? merge(rest$, from(probes.slice(0, handedOut)))
      : from(probes);
  });

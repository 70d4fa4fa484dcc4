/**
 * The cold pipeline composed with another app's streams: nothing runs until subscribed, and
 * the whole exchange is one observable. Another app's stream of texts becomes alice's jobs;
 * bob's pipeline starts listening on subscribe, and stops when alice's work is done.
 *
 * In your own project, import from 'parley' exactly as here.
 */

import { randomUUID } from 'node:crypto';
import {
  messageJob,
  type NodeEvent,
  type ParleyOutput,
  type PipelineDeps,
  parley$,
  parseDirectory,
  resolveDeps,
} from 'parley';
import {
  connect,
  finalize,
  first,
  from,
  lastValueFrom,
  merge,
  mergeMap,
  type Observable,
  Subject,
  toArray,
} from 'rxjs';

const HOST = '127.0.0.1';
const SECRET = 'correct horse battery staple';

/** What the example saw: bob's messages and alice's reports, in the order they came. */
export type Seen = { readonly bobShowed: string } | { readonly aliceGot: string };

export const runComposeExample = (texts: readonly string[]): Promise<Seen[]> => {
  const bob = deps('bob', [{ username: 'alice', password: SECRET, port: 1, ip: HOST }]);
  const alice = deps('alice', []);
  const aliceDone$ = new Subject<void>();

  // Another app's stream: here a fixed list; a websocket, a queue or a form in yours.
  const jobsTo = (port: number) =>
    from(texts).pipe(
      mergeMap((text, i) => {
        const to = { username: 'bob', host: HOST, port, secret: SECRET };
        const job = messageJob(i + 1, { to, text }, { group: 'x25519', newMsgId: randomUUID });
        // A text the codecs refuse is said (here it ends the example), never dropped.
        if (job._tag === 'Left') throw new Error(`not sent: ${job.left.message}`);
        return [job.right];
      }),
    );

  const bob$ = parley$({ listen: { port: 0, host: HOST }, stop$: aliceDone$ }, bob);
  const everything$: Observable<Seen> = bob$.pipe(
    connect((bobEvents$) =>
      merge(
        bobEvents$.pipe(mergeMap(shown)),
        // alice starts once bob listens; her pipeline ends when her jobs have reported.
        bobEvents$.pipe(
          first((e): e is Extract<NodeEvent, { kind: 'listening' }> => e.kind === 'listening'),
          mergeMap((listening) => parley$({ jobs$: jobsTo(listening.port) }, alice)),
          mergeMap(reported),
          finalize(() => aliceDone$.next()),
        ),
      ),
    ),
  );
  return lastValueFrom(everything$.pipe(toArray()));
};

const shown = (e: ParleyOutput<never>): Seen[] =>
  e.kind === 'incoming' && e.event.kind === 'received' ? [{ bobShowed: e.event.message.text }] : [];

const reported = (e: ParleyOutput<never>): Seen[] =>
  e.kind === 'delivery' ? [{ aliceGot: e.report.outcome }] : [];

/** A node's dependencies from its options, contacts checked as a directory file is. */
const deps = (name: string, contacts: unknown[]): PipelineDeps => {
  const directory = parseDirectory(JSON.stringify(contacts), `${name}'s contacts`);
  if (directory._tag === 'Left') throw new Error(directory.left.message);
  const resolved = resolveDeps({ name, directory: directory.right, group: 'x25519' });
  if (resolved._tag === 'Left') throw resolved.left;
  return resolved.right;
};

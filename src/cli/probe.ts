/**
 * `parley probe`: who is there, all at once. One line per contact on stdout, in the
 * directory's order; the exit status sums it up for scripts.
 */
import * as E from 'fp-ts/lib/Either.js';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { type Directory, type DirectoryEntry, findContact } from '../codecs/directory.js';
import { type ParleyError, parleyError } from '../errors.js';
import type { ProbeReport } from '../node/reports.js';
import { EXIT, type ProbeOptions } from './args.js';
import { loadDirectory, say, startSendingNode } from './common.js';
import { probeInOrder } from './in-order.js';
import { formatProbe, widest } from './text.js';

/**
 * 0 every contact online; 1 any offline or failing; else 3 for a password mismatch with any:
 * the peer at its address said auth_failed (unauthenticated) or failed to prove itself.
 */
export const probeStatus = (reports: readonly ProbeReport[]): number => {
  if (reports.some((r) => r.outcome === 'offline' || r.outcome === 'failed')) return EXIT.failed;
  if (reports.some((r) => r.outcome === 'wrong_password')) return EXIT.wrongPassword;
  return EXIT.ok;
};

const probeJson = (r: ProbeReport): string =>
  JSON.stringify({
    username: r.to.username,
    host: r.to.host,
    port: r.to.port,
    outcome: r.outcome,
    elapsed_ms: r.elapsedMs,
    ...(r.outcome === 'online' ? {} : { reason: r.reason }),
  });

const chooseContacts = (
  options: ProbeOptions,
  directory: Directory,
): E.Either<ParleyError<'no_contact'>, readonly DirectoryEntry[]> => {
  const none = (message: string) => E.left(parleyError('no_contact', message));
  if (options.to !== undefined) {
    const contact = findContact(directory, options.to);
    return contact === undefined
      ? none(`${options.directory} has no contact called ${options.to}`)
      : E.right([contact]);
  }
  const others = directory.filter((c) => c.username !== options.name);
  return others.length > 0 ? E.right(others) : none(`${options.directory} lists no contacts`);
};

export const runProbe = async (options: ProbeOptions): Promise<number> => {
  const contacts = E.chainW((d: Directory) => chooseContacts(options, d))(
    loadDirectory(options.directory),
  );
  if (E.isLeft(contacts)) {
    say(contacts.left.message);
    return EXIT.usage;
  }
  const started = await startSendingNode(options);
  if (E.isLeft(started)) {
    say(started.left.message);
    return EXIT.failed;
  }
  const { node, stop } = started.right;
  const width = widest(contacts.right.map((c) => c.username));
  const reports = await lastValueFrom(
    probeInOrder(node, contacts.right).pipe(
      tap((r) => process.stdout.write(`${options.json ? probeJson(r) : formatProbe(r, width)}\n`)),
      toArray(),
    ),
  );
  await stop();
  return probeStatus(reports);
};

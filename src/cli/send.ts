/**
 * `parley send`: one message, for scripts. The exit status says whether a verified
 * acknowledgement came back; the reason, if not, is on stderr.
 */

import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { firstValueFrom, map } from 'rxjs';
import { type Directory, EMPTY_DIRECTORY, findContact } from '../codecs/directory.js';
import { type Group, type MessageText, mint, Username, Uuid } from '../codecs/formats.js';
import { destinationOf } from '../console/destinations.js';
import { checkSecret } from '../console/forms.js';
import { type ParleyError, parleyError, whyOf } from '../errors.js';
import { type LongReport, sendInParts } from '../node/long-send.js';
import { outboxCapsOf } from '../node/options.js';
import { decodeLongText, groupIdOf, needsParts } from '../node/parts.js';
import type { DeliveryReport, Destination } from '../node/reports.js';
import { needsNewDetails } from '../node/retry.js';
import { handIn } from '../store/outbox-inbox.js';
import { EXIT, type SendOptions } from './args.js';
import { loadDirectory, say, startSendingNode } from './common.js';
import { type QueueError, type QueueRoute, queueInOutbox, queueRoute } from './outbox.js';
import { askOnTerminal, askUntil } from './startup.js';
import { formatDelivery } from './text.js';

const NO_SECRET =
  'a destination entered by hand needs its password: set the environment variable ' +
  'PARLEY_SECRET, or run on a terminal to be asked (never on the command line)';

/** The manual destination's secret: PARLEY_SECRET, else asked without echo on a terminal. */
const secretFor = (host: string, port: number): E.Either<ParleyError, string> => {
  const fromEnv = process.env.PARLEY_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') return checkSecret(fromEnv);
  if (process.stdin.isTTY !== true) return E.left(parleyError('no_terminal', NO_SECRET));
  return askUntil(askOnTerminal, say, `Password for ${host}:${port}: `, checkSecret, true);
};

const destination = (
  options: SendOptions,
  directory: Directory,
): E.Either<ParleyError, Destination> => {
  const to = options.to;
  if (to.kind === 'manual') {
    return E.map((secret: string) => ({ host: to.host, port: to.port, secret }))(
      secretFor(to.host, to.port),
    );
  }
  const contact = findContact(directory, to.username);
  return contact === undefined
    ? E.left(parleyError('no_contact', `${options.directory} has no contact called ${to.username}`))
    : E.right(destinationOf(contact));
};

const readStdin = async (): Promise<string> => {
  if (process.stdin.isTTY === true) say('type the message, then Ctrl-D on a line of its own');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** The text as given; from stdin, without the final line ending that every line has. */
const checkText = (text: string): E.Either<ParleyError, MessageText> => {
  if (text.trim() === '') {
    return E.left(parleyError('invalid_input', 'nothing to send: the message is empty'));
  }
  return decodeLongText(text);
};

const reportJson = (r: DeliveryReport, queued: boolean | undefined): string =>
  JSON.stringify({
    outcome: r.outcome,
    msg_id: r.msgId,
    to: r.to,
    elapsed_ms: r.elapsedMs,
    ...(r.outcome === 'delivered' ? { peer: r.peer } : { reason: r.reason }),
    ...(queued === undefined ? {} : { queued }),
  });

/** What happens to a queued message next, in the words `send` ends its line with. */
const nextFor = (report: DeliveryReport, options: SendOptions, sender: string): string =>
  // A refused password pauses it, as in the chat: it is not sent again on its own.
  needsNewDetails(report)
    ? `paused after a password mismatch: it goes out when ${report.to.username} reaches ${options.name}, or by /retry in the chat as ${options.name}`
    : `${sender} sends it by itself`;

/**
 * --queue and not delivered: into the outbox of our name, for its next chat or `listen`; or,
 * while a parley of our name runs and holds that outbox, handed to it. Whether it was kept;
 * every sentence on stderr.
 */
const queue = (
  options: SendOptions,
  route: QueueRoute,
  to: Destination,
  text: MessageText,
  report: DeliveryReport,
) => {
  const group = to.group ?? options.group;
  // Written when the one attempt began (the send's node took it at once).
  const writtenAt = Date.now() - report.elapsedMs;
  const kept =
    route.kind === 'outbox'
      ? E.map((path: string) => ({
          where: `queued in ${path}`,
          next: nextFor(report, options, `the next chat or listen as ${options.name}`),
        }))(
          queueInOutbox(
            options.name,
            { msgId: report.msgId, text, to: report.to, group, writtenAt },
            report,
            say,
            // The caps of the chat and listen that will send it (their options set none).
            outboxCapsOf({}),
          ),
        )
      : handOver(options, route, to, text, group, report, writtenAt);
  if (E.isLeft(kept)) {
    say(formatDelivery(report));
    say(`not queued: ${kept.left.message}`);
    return false;
  }
  say(`${formatDelivery(report)} — ${kept.right.where}: ${kept.right.next}`);
  return true;
};

/** Into the inbox of the parley that runs as our name (only a contact: no secret is written). */
const handOver = (
  options: SendOptions,
  route: Extract<QueueRoute, { kind: 'handOver' }>,
  to: Destination,
  text: MessageText,
  group: Group,
  report: DeliveryReport,
  writtenAt: number,
): E.Either<QueueError, { where: string; next: string }> => {
  // --queue takes only --to USER (args.ts): a destination typed by hand has no name to give.
  if (to.username === undefined) {
    return E.left(parleyError('usage', 'a destination typed by hand cannot be queued'));
  }
  try {
    handIn(route.inbox, {
      version: 1,
      msg_id: mint(Uuid, report.msgId),
      to: { username: mint(Username, to.username), host: to.host, port: to.port },
      text,
      group,
      attempts: 1,
      paused: needsNewDetails(report),
      written_at: writtenAt,
    });
  } catch (err) {
    return E.left(parleyError('inbox_file', `cannot hand it to ${route.inbox} (${whyOf(err)})`));
  }
  return E.right({
    where: `handed to the parley running as ${options.name} (pid ${route.pid})`,
    next: nextFor(report, options, 'it'),
  });
};

export const runSend = async (options: SendOptions): Promise<number> => {
  const directory: E.Either<ParleyError, Directory> =
    options.directory === undefined ? E.right(EMPTY_DIRECTORY) : loadDirectory(options.directory);
  const text = options.text ?? (await readStdin()).replace(/\r?\n$/, '');
  const prepared = pipe(
    directory,
    E.bindTo('directory'),
    E.bind('text', () => checkText(text)),
    E.bind('to', ({ directory }) => destination(options, directory)),
  );
  if (E.isLeft(prepared)) {
    say(prepared.left.message);
    return EXIT.usage;
  }
  const route = options.queue ? queueRoute(options.name) : E.right(undefined);
  if (E.isLeft(route)) {
    say(`not sent: ${route.left.message}`);
    return EXIT.failed;
  }
  const started = await startSendingNode(options, prepared.right.directory);
  if (E.isLeft(started)) {
    say(started.left.message);
    return EXIT.failed;
  }
  const { node, stop } = started.right;
  const job = { to: prepared.right.to, text: prepared.right.text };
  // A long text goes as parts (one job each, in order); --queue keeps each undelivered part.
  const long: LongReport = needsParts(job.text)
    ? await firstValueFrom(
        sendInParts(node.send, job, groupIdOf(randomUUID())) ?? node.send(job).pipe(map(single)),
      )
    : single(await firstValueFrom(node.send(job)));
  await stop();
  const { report } = long;
  const delivered = report.outcome === 'delivered';
  const queued =
    route.right !== undefined && !delivered
      ? queueParts(options, route.right, prepared.right.to, prepared.right.text, long)
      : undefined;
  if (queued === undefined) say(formatDelivery(report));
  const json = reportJson(report, options.queue ? (queued ?? false) : undefined);
  if (options.json) process.stdout.write(`${json}\n`);
  return delivered ? EXIT.ok : queued ? EXIT.queued : EXIT.failed;
};

/** A text sent as one message, in the words of a long one. */
const single = (report: DeliveryReport): LongReport => ({ report, parts: [] });

/** Queues what was not delivered: the message, or each part of a long one. */
const queueParts = (
  options: SendOptions,
  route: QueueRoute,
  to: Destination,
  text: MessageText,
  long: LongReport,
) => {
  if (long.parts.length === 0) return queue(options, route, to, text, long.report);
  let all = true;
  for (const part of long.parts) {
    if (part.report.outcome === 'delivered') continue;
    all = queue(options, route, to, part.text as MessageText, part.report) && all;
  }
  return all;
};

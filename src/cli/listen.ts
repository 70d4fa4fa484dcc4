/**
 * `parley listen`: a peer without a keyboard, for scripts and services. Each verified message
 * goes to stdout (one JSON line each with --json); everything else goes to stderr. A message
 * is acknowledged only once its line was written to stdout: a reader gone (EPIPE) or a full
 * disk means no ack, and the sender keeps it for the next listener.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ReceivedMessage } from '../actors/responder.js';
import type { Directory } from '../codecs/directory.js';
import { errnoCode } from '../errors.js';
import type { NodeEvent, NodeOptions, ParleyNode } from '../node/node.js';
import type { NameStore } from '../store/name-store.js';
import { EXIT, type ListenOptions } from './args.js';
import { loadDirectory, onStopSignal, say, startNode, traceNode } from './common.js';
import { sharedPasswordWarnings } from './directory-file.js';
import { ownCommandName } from './help.js';
import { followMove, type MovesKept } from './moved.js';
import { describeIncoming } from './notices.js';
import { withPeerState } from './outbox.js';
import { refusalTeller } from './refusals.js';
import { retryFromEnvironment } from './retry-env.js';
import { formatDelivery, formatReceived, formatWentByItself } from './text.js';
import { inTime, keptFromLastTime } from './waiting.js';

/** The JSON line of a verified message: the fields a program needs, in protocol spelling. */
export const messageJson = (m: ReceivedMessage): string =>
  JSON.stringify({ from: m.from, to: m.to, text: m.text, msg_id: m.msgId, timestamp: m.timestamp });

/** What the outbox's own retries come to, on stderr: each delivery, each failure and its next try. */
const outboxNotice = (
  event: NodeEvent,
  node: ParleyNode,
  name: string,
  retriedText: string | undefined,
): string | undefined => {
  if (event.kind !== 'delivery' || event.jobId >= 0) return undefined;
  const { report } = event;
  if (report.outcome === 'delivered') return formatWentByItself(report, retriedText);
  const entry = node.outbox().find((e) => e.job.msgId === report.msgId);
  if (entry === undefined) return formatDelivery(report);
  const next = entry.paused
    ? `paused: it does not go out by itself (${ownCommandName()} outbox --name ${name} says what sends it)`
    : `next try ${inTime((entry.nextTryAt ?? 0) - Date.now())}`;
  return `${formatDelivery(report)} — waits in the outbox; ${next}`;
};

export const runListen = async (options: ListenOptions): Promise<number> => {
  const retry = retryFromEnvironment();
  if (E.isLeft(retry)) {
    say(retry.left.message);
    return EXIT.usage;
  }
  const directory = loadDirectory(options.directory);
  if (E.isLeft(directory)) {
    say(directory.left.message);
    return EXIT.usage;
  }
  for (const warning of sharedPasswordWarnings(directory.right, options.directory)) say(warning);
  return withPeerState(
    options.name,
    (state) => listenWith(options, directory.right, state, retry.right),
    options.directory,
  );
};

/** Writes a line to stdout; resolves once it was written, fails as the write does. */
const writeOut = (line: string): Promise<void> =>
  new Promise((resolve, reject) => {
    process.stdout.write(`${line}\n`, (err) => (err ? reject(err) : resolve()));
  });

const listenWith = async (
  options: ListenOptions,
  directory: Directory,
  { store, durable }: NameStore,
  retry: NodeOptions['retry'],
): Promise<number> => {
  const started = await startNode({
    name: options.name,
    port: options.port,
    host: options.bind,
    directory,
    group: options.group,
    trace: options.verbose,
    // Contacts with messages for us send them now, not after their backoff.
    announce: true,
    ports: { store },
    retry,
    // The ack follows what the reader got: the line written, not merely the event published.
    deliver: (m) => writeOut(options.json ? messageJson(m) : formatReceived(m, new Date())),
  });
  if (E.isLeft(started)) {
    say(started.left.message);
    return EXIT.failed;
  }
  const node = started.right;
  say(`listening on ${options.bind}:${node.port} as ${options.name}`);
  const kept = node.outbox();
  if (kept.length > 0) say(`${keptFromLastTime(kept)} (${durable?.path})`);
  const trace = options.verbose
    ? traceNode(node, (line) => process.stderr.write(`${line}\n`))
    : undefined;

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void node.close();
  };
  // A reader that goes away (`| head -1`) ends the listener instead of crashing it; a write
  // that fails otherwise (a full disk) was said with its message, which waits with its sender.
  process.stdout.on('error', (err) => {
    if (errnoCode(err) === 'EPIPE') stop();
  });
  const stopOnSignal = onStopSignal(stop);

  const tellRefusal = refusalTeller();
  // The text of each retry under way (said when it is delivered), until its report.
  const retrying = new Map<number, string>();
  // The node's contacts are not reloaded from the file here: a move kept is this map's only.
  const moves: MovesKept = new Map();
  let rewrites: Promise<void> = Promise.resolve();
  await new Promise<void>((resolve) => {
    node.events$.subscribe({
      next: (event) => {
        if (event.kind === 'queued' && event.jobId < 0 && event.message !== undefined) {
          retrying.set(event.jobId, event.message.text);
        }
        const retriedText = event.kind === 'delivery' ? retrying.get(event.jobId) : undefined;
        if (event.kind === 'delivery') retrying.delete(event.jobId);
        if (event.kind === 'moved') {
          // One rewrite after another: each reads the file the one before it wrote.
          rewrites = rewrites
            .then(() => followMove(options.directory, event, moves))
            .then((lines) => {
              for (const line of lines) say(line);
            });
          return;
        }
        // Written to stdout already, by the node's `deliver`, before it was acknowledged.
        if (event.kind === 'incoming' && event.event.kind === 'received') return;
        const notice =
          describeIncoming(event) ??
          tellRefusal(event) ??
          outboxNotice(event, node, options.name, retriedText);
        if (notice !== undefined) say(notice);
      },
      complete: resolve,
    });
  });
  stopOnSignal();
  trace?.unsubscribe();
  return EXIT.ok;
};

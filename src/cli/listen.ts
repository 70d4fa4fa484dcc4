/**
 * `parley listen`: a peer without a keyboard, for scripts and services. Each verified message
 * goes to stdout (one JSON line each with --json); everything else goes to stderr.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ReceivedMessage } from '../actors/responder.js';
import { EXIT, type ListenOptions } from './args.js';
import { loadDirectory, onStopSignal, say, seenMemory, startNode, traceNode } from './common.js';
import { sharedPasswordWarnings } from './directory-file.js';
import { describeIncoming } from './notices.js';
import { refusalTeller } from './refusals.js';
import { formatReceived } from './text.js';

/** The JSON line of a verified message: the fields a program needs, in protocol spelling. */
export const messageJson = (m: ReceivedMessage): string =>
  JSON.stringify({ from: m.from, to: m.to, text: m.text, msg_id: m.msgId, timestamp: m.timestamp });

export const runListen = async (options: ListenOptions): Promise<number> => {
  const directory = loadDirectory(options.directory);
  if (E.isLeft(directory)) {
    say(directory.left);
    return EXIT.usage;
  }
  for (const warning of sharedPasswordWarnings(directory.right, options.directory)) say(warning);
  const dedupe = seenMemory(options.name);
  if (E.isLeft(dedupe)) {
    say(dedupe.left);
    return EXIT.failed;
  }
  const started = await startNode({
    name: options.name,
    port: options.port,
    host: options.bind,
    directory: directory.right,
    group: options.group,
    trace: options.verbose,
    dedupe: dedupe.right,
  });
  if (E.isLeft(started)) {
    say(started.left);
    return EXIT.failed;
  }
  const node = started.right;
  say(`listening on ${options.bind}:${node.port} as ${options.name}`);
  const trace = options.verbose
    ? traceNode(node, (line) => process.stderr.write(`${line}\n`))
    : undefined;

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void node.close();
  };
  // A reader that goes away (`| head -1`) ends the listener instead of crashing it.
  process.stdout.on('error', stop);
  const stopOnSignal = onStopSignal(stop);

  const tellRefusal = refusalTeller();
  await new Promise<void>((resolve) => {
    node.events$.subscribe({
      next: (event) => {
        if (event.kind === 'incoming' && event.event.kind === 'received') {
          const m = event.event.message;
          const line = options.json ? messageJson(m) : formatReceived(m, new Date());
          process.stdout.write(`${line}\n`);
          return;
        }
        const notice = describeIncoming(event) ?? tellRefusal(event);
        if (notice !== undefined) say(notice);
      },
      complete: resolve,
    });
  });
  stopOnSignal();
  trace?.unsubscribe();
  return EXIT.ok;
};

/**
 * `parley` itself: the start-up questions, then the node and the console wired together.
 */
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { DedupeMemory } from '../node/dedupe.js';
import { resolveDeps } from '../node/options.js';
import { openTerminal } from '../streams/keyboard.js';
import { listen$ } from '../streams/tcp.js';
import { type ChatOptions, EXIT } from './args.js';
import { say, seenMemory } from './common.js';
import { runConsole } from './console.js';
import { sharedPasswordWarnings } from './directory-file.js';
import { version } from './help.js';
import { inMemoryWarning, type KeptOutbox, keptOutbox } from './outbox.js';
import { askOnTerminal, type ChatSetup, setUpChat } from './startup.js';

const hasTerminal = (): boolean => process.stdin.isTTY === true && process.stdout.isTTY === true;

export const runChat = async (options: ChatOptions): Promise<number> => {
  const setup = setUpChat(options, hasTerminal() ? askOnTerminal : undefined, say);
  if (E.isLeft(setup)) {
    say(setup.left);
    return EXIT.usage;
  }
  const { name, directoryFile, loaded } = setup.right;
  for (const warning of loaded.warnings) say(warning);
  for (const warning of sharedPasswordWarnings(loaded.directory, directoryFile)) say(warning);
  const dedupe = seenMemory(name);
  if (E.isLeft(dedupe)) {
    say(dedupe.left);
    return EXIT.failed;
  }
  const outbox = keptOutbox(name, say);
  if (E.isLeft(outbox)) {
    say(outbox.left);
    return EXIT.failed;
  }
  if (outbox.right.kind === 'memory') say(inMemoryWarning(outbox.right));
  const durable = outbox.right.kind === 'durable' ? outbox.right : undefined;
  try {
    return await chatWith(options, setup.right, dedupe.right, durable);
  } finally {
    durable?.release();
  }
};

const chatWith = async (
  options: ChatOptions,
  { port, name, directoryFile, loaded }: ChatSetup,
  dedupe: DedupeMemory | undefined,
  durable: Extract<KeptOutbox, { kind: 'durable' }> | undefined,
): Promise<number> => {
  const node = resolveDeps({
    name,
    directory: loaded.directory,
    group: options.group,
    trace: options.verbose,
    dedupe,
    outboxStore: durable?.store,
  });
  if (E.isLeft(node)) {
    say(node.left.message);
    return EXIT.usage;
  }
  const terminal = openTerminal();
  const stopOnTerm = () => terminal.close();
  process.once('SIGTERM', stopOnTerm);

  const contacts = loaded.directory.filter((c) => c.username !== name).length;
  const started = await runConsole({
    terminal,
    connections$: listen$({ port, host: options.bind }),
    node: node.right,
    console: {
      self: name,
      directoryFile,
      group: options.group,
      verbose: options.verbose,
      now: () => new Date(),
      newMsgId: randomUUID,
      durable: durable !== undefined,
      banner: (listeningOn) =>
        `parley ${version()}: you are ${name}, listening on ${options.bind}:${listeningOn} (${options.group}); ` +
        `${contacts} contact${contacts === 1 ? '' : 's'} in ${directoryFile}.\n` +
        'Type a message and press Enter; /help lists the commands.',
    },
  });
  process.off('SIGTERM', stopOnTerm);
  if (started.started) return EXIT.ok;
  say(started.why);
  return EXIT.failed;
};

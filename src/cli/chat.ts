/**
 * `parley` itself: the start-up questions, then the node and the console wired together.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ReceivedMessage } from '../actors/types.js';
import { resolveDeps } from '../node/options.js';
import type { NodeOptions } from '../node/types.js';
import type { NameStore } from '../store/name-store.js';
import { openTerminal, type Terminal } from '../streams/keyboard.js';
import { type ChatOptions, EXIT } from './args.js';
import { say } from './common.js';
import { runConsole } from './console.js';
import { sharedPasswordWarnings } from './directory-file.js';
import { version } from './help.js';
import { directoryFileSink } from './invite-sink.js';
import { withPeerState } from './outbox.js';
import { retryFromEnvironment } from './retry-env.js';
import { askOnTerminal, type ChatSetup, setUpChat } from './startup.js';
import { formatReceived } from './text.js';

const hasTerminal = (): boolean => process.stdin.isTTY === true && process.stdout.isTTY === true;

/**
 * A message on the screen, above the line being typed; resolves once the terminal took it.
 * The empty write after it calls back when everything before it went out, or with the error
 * (the terminal gone): the node acknowledges the message only then (see `deliver`).
 */
const shownOn = (terminal: Terminal, m: ReceivedMessage): Promise<void> =>
  new Promise((resolve, reject) => {
    terminal.show(formatReceived(m, new Date()));
    process.stdout.write('', (err) => (err ? reject(err) : resolve()));
  });

export const runChat = async (options: ChatOptions): Promise<number> => {
  const retry = retryFromEnvironment();
  if (E.isLeft(retry)) {
    say(retry.left.message);
    return EXIT.usage;
  }
  const setup = setUpChat(options, hasTerminal() ? askOnTerminal : undefined, say);
  if (E.isLeft(setup)) {
    say(setup.left.message);
    return EXIT.usage;
  }
  const { name, directoryFile, loaded } = setup.right;
  for (const warning of loaded.warnings) say(warning);
  for (const warning of sharedPasswordWarnings(loaded.directory, directoryFile)) say(warning);
  return withPeerState(
    name,
    (state) => chatWith(options, setup.right, state, retry.right),
    directoryFile,
  );
};

const chatWith = async (
  options: ChatOptions,
  { port, name, directoryFile, loaded }: ChatSetup,
  { store, durable }: NameStore,
  retry: NodeOptions['retry'],
): Promise<number> => {
  const node = resolveDeps({
    name,
    directory: loaded.directory,
    group: options.group,
    trace: options.verbose,
    // Contacts with messages for us send them now, not after their backoff.
    announce: true,
    ports: { store },
    retry,
    // The ack follows what the person got: the line on the screen (the terminal, opened below).
    deliver: (m) => shownOn(terminal, m),
    // Invites (/invite, /join) file the new contact as /add does.
    fileContact: directoryFileSink(directoryFile),
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
    listen: { port, host: options.bind },
    node: node.right,
    console: {
      self: name,
      directoryFile,
      group: options.group,
      verbose: options.verbose,
      durable: durable !== undefined,
      shownOnDelivery: true,
      banner: (listeningOn) =>
        `parley ${version()}: you are ${name}, listening on ${options.bind}:${listeningOn} (${options.group}); ` +
        `${contacts} contact${contacts === 1 ? '' : 's'} in ${directoryFile}.\n` +
        'Type a message and press Enter; /help lists the commands.',
    },
  });
  process.off('SIGTERM', stopOnTerm);
  if (E.isRight(started)) return EXIT.ok;
  say(started.left.message);
  return EXIT.failed;
};

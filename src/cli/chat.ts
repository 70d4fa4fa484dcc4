/**
 * `parley` itself: the start-up questions, then the node and the console wired together.
 */
import * as E from 'fp-ts/lib/Either.js';
import { openTerminal } from '../streams/keyboard.js';
import { type ChatOptions, EXIT } from './args.js';
import { say, seenMemory, startNode, traceNode } from './common.js';
import { runConsole } from './console.js';
import { sharedPasswordWarnings } from './directory-file.js';
import { version } from './help.js';
import { askOnTerminal, setUpChat } from './startup.js';

const hasTerminal = (): boolean => process.stdin.isTTY === true && process.stdout.isTTY === true;

export const runChat = async (options: ChatOptions): Promise<number> => {
  const setup = setUpChat(options, hasTerminal() ? askOnTerminal : undefined, say);
  if (E.isLeft(setup)) {
    say(setup.left);
    return EXIT.usage;
  }
  const { port, name, directoryFile, loaded } = setup.right;
  for (const warning of loaded.warnings) say(warning);
  for (const warning of sharedPasswordWarnings(loaded.directory, directoryFile)) say(warning);
  const dedupe = seenMemory(name);
  if (E.isLeft(dedupe)) {
    say(dedupe.left);
    return EXIT.failed;
  }

  const started = await startNode({
    name,
    port,
    host: options.bind,
    directory: loaded.directory,
    group: options.group,
    trace: options.verbose,
    dedupe: dedupe.right,
  });
  if (E.isLeft(started)) {
    say(started.left);
    return EXIT.failed;
  }
  const node = started.right;
  const terminal = openTerminal();
  // The trace goes to stderr, drawn above the line being typed like everything else.
  const trace = options.verbose
    ? traceNode(node, (line) => terminal.show(line, process.stderr))
    : undefined;
  const stopOnTerm = () => terminal.close();
  process.once('SIGTERM', stopOnTerm);

  const contacts = loaded.directory.filter((c) => c.username !== name).length;
  await runConsole({
    node,
    terminal,
    directory: loaded.directory,
    directoryFile,
    banner:
      `parley ${version()}: you are ${name}, listening on ${options.bind}:${node.port} (${options.group}); ` +
      `${contacts} contact${contacts === 1 ? '' : 's'} in ${directoryFile}.\n` +
      'Type a message and press Enter; /help lists the commands.',
  });
  process.off('SIGTERM', stopOnTerm);
  trace?.unsubscribe();
  return EXIT.ok;
};

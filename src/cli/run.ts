/**
 * From the command line to an exit status: parse, then run the command it names.
 */
import * as E from 'fp-ts/lib/Either.js';
import { EXIT, parseCommandLine } from './args.js';
import { runChat } from './chat.js';
import { say } from './common.js';
import { helpText, ownCommandName, version } from './help.js';
import { runHistory } from './history-list.js';
import { runInvite, runJoin } from './invite.js';
import { runListen } from './listen.js';
import { runOutbox } from './outbox-list.js';
import { runProbe } from './probe.js';
import { runSend } from './send.js';

export const run = async (argv: readonly string[]): Promise<number> => {
  const parsed = parseCommandLine(argv);
  if (E.isLeft(parsed)) {
    const { command, message } = parsed.left;
    say(`${command === 'chat' ? '' : `${command}: `}${message}`);
    say(`see ${ownCommandName()} ${command === 'chat' ? '' : `${command} `}--help`);
    return EXIT.usage;
  }
  const command = parsed.right;
  switch (command.command) {
    case 'help':
      process.stdout.write(`${helpText(command.topic, ownCommandName())}\n`);
      return EXIT.ok;
    case 'version':
      process.stdout.write(`parley ${version()}\n`);
      return EXIT.ok;
    case 'chat':
      return runChat(command);
    case 'listen':
      return runListen(command);
    case 'send':
      return runSend(command);
    case 'probe':
      return runProbe(command);
    case 'outbox':
      return runOutbox(command);
    case 'history':
      return runHistory(command);
    case 'invite':
      return runInvite(command);
    case 'join':
      return runJoin(command);
  }
};

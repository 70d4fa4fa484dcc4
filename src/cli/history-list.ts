/**
 * `parley history`: what a name's history keeps, read without changing it (a chat or listen
 * of the name may be writing it). One line per message for a person, or one JSON line per
 * message (snake_case, as the CLI's other JSON) for a script.
 */
import * as E from 'fp-ts/lib/Either.js';
import { snakeCase } from '../store/history-codec.js';
import { readHistory } from '../store/history-read.js';
import { EXIT, type HistoryOptions } from './args.js';
import { say } from './common.js';
import { formatHistoryLine } from './history-text.js';

export const runHistory = (options: HistoryOptions): number => {
  const read = readHistory(options.name, {
    ...(options.with === undefined ? {} : { with: options.with }),
    ...(options.sinceMs === undefined ? {} : { sinceMs: options.sinceMs }),
  });
  if (E.isLeft(read)) {
    say(read.left.message);
    return EXIT.failed;
  }
  const records = read.right;
  if (options.json) {
    const text = records.map((r) => JSON.stringify(snakeCase(r))).join('\n');
    if (text !== '') process.stdout.write(`${text}\n`);
    return EXIT.ok;
  }
  if (records.length === 0) {
    const whom = options.with === undefined ? '' : ` with ${options.with}`;
    process.stdout.write(
      `no history of ${options.name}${whom}${options.sinceMs === undefined ? '' : ' since then'}\n`,
    );
    return EXIT.ok;
  }
  process.stdout.write(`${records.map(formatHistoryLine).join('\n')}\n`);
  return EXIT.ok;
};

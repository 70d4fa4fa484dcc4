/**
 * The keyboard as a stream of lines. Completes when the input ends (Ctrl-D on a terminal).
 */
import { createInterface } from 'node:readline';
import { Observable } from 'rxjs';

const isTTY = (stream: NodeJS.ReadableStream | NodeJS.WritableStream): boolean =>
  (stream as { isTTY?: boolean }).isTTY === true;

/**
 * Each line typed, without its line ending. On a terminal readline does the line editing, so
 * it needs `output` to echo to; on a pipe or file it only splits lines.
 */
export const keyboardLines$ = (
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Observable<string> =>
  new Observable<string>((subscriber) => {
    const terminal = isTTY(input);
    const rl = createInterface({
      input,
      ...(terminal ? { output } : {}),
      terminal,
      // A '\r\n' split across two reads is still one line ending.
      crlfDelay: Infinity,
    });
    rl.on('line', (line) => subscriber.next(line));
    rl.once('close', () => subscriber.complete());
    // Closing the interface also pauses the input, so stdin no longer keeps the process alive.
    return () => rl.close();
  });

/**
 * The chat's screen: one pipeline (`parley$`) whose sources are the server's connections and
 * the keyboard's lines, the console epic turning lines into jobs and things to draw. This
 * only draws what comes out, and says whether the chat could start.
 */
import * as E from 'fp-ts/lib/Either.js';
import { lastValueFrom, tap } from 'rxjs';
import { type ParleyError, parleyError } from '../errors.js';
import type { PipelineDeps } from '../node/options.js';
import { parley$ } from '../node/pipeline.js';
import type { ListenAt } from '../ports/ports.js';
import type { KeyboardInput, Terminal } from '../streams/keyboard.js';
import { type ConsoleConfig, consoleEpic, type Draw } from './console-epic.js';

export interface ConsoleOptions {
  readonly terminal: Terminal;
  readonly listen: ListenAt;
  readonly node: PipelineDeps;
  readonly console: ConsoleConfig;
}

/** Runs the chat until the person quits; or why it could not start listening. */
export const runConsole = async (options: ConsoleOptions): Promise<E.Either<ParleyError, void>> => {
  const { terminal } = options;
  let started = false;
  let why: ParleyError = parleyError('not_listening', 'the chat ended before it could listen');
  let quitting = false;
  const draw = (d: Draw) => {
    switch (d.kind) {
      case 'show':
        return terminal.show(d.text);
      case 'trace':
        return terminal.show(d.text, process.stderr);
      case 'ask':
        return terminal.ask(d.prompt, d.secret, d.answer === true);
      case 'discardLine':
        return terminal.discardLine();
      case 'quit':
        if (quitting) return;
        quitting = true;
        // Exchanges in flight finish (their reports are still drawn), then the pipeline ends.
        terminal.close();
    }
  };
  const screen$ = parley$<KeyboardInput, Draw>(
    {
      listen: options.listen,
      lines$: terminal.input$,
      linesEpic: consoleEpic(options.console),
    },
    options.node,
  );
  await lastValueFrom(
    screen$.pipe(
      tap((out) => {
        if (out.kind === 'view') draw(out.view);
        if (out.kind === 'listening') started = true;
        if (out.kind === 'error' && !started) why = parleyError(out.code, out.message);
      }),
    ),
    { defaultValue: undefined },
  );
  return started ? E.right(undefined) : E.left(why);
};

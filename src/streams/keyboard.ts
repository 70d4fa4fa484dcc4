/**
 * The keyboard and the screen of the console, the one place that touches them. Typed lines,
 * Ctrl-C and Ctrl-D come out as an observable of inputs; text from elsewhere is printed above
 * the line being typed, which is then drawn again as it was. On a pipe instead of a
 * terminal, lines are only split and prompts are not drawn.
 */
import { clearScreenDown, createInterface, cursorTo, moveCursor } from 'node:readline';
import { Writable } from 'node:stream';
import { Observable, share } from 'rxjs';

/** What the keyboard says: a line, Ctrl-C (with what was typed so far), Ctrl-D, or the end. */
export type KeyboardInput =
  | {
      readonly kind: 'line';
      readonly text: string;
      /**
       * At a terminal, which read of the input the line ended in: lines of one read were typed
       * (pasted) together, before anything shown after the first could be read. None on a pipe,
       * where answers are scripted.
       */
      readonly read?: number;
    }
  /** Ctrl-C, with what was typed on the line so far. */
  | { readonly kind: 'interrupt'; readonly typed: string }
  /** Ctrl-D on an empty line at a terminal; the input stays open. */
  | { readonly kind: 'eof' }
  /** The input ended (or the terminal was closed): nothing more will come. */
  | { readonly kind: 'end' };

export interface Terminal {
  /** Hot: every line typed, Ctrl-C and the end; completes when the input ends or on close. */
  readonly input$: Observable<KeyboardInput>;
  /** Print above the line being typed, without garbling it (to `stream`, stdout by default). */
  show(text: string, stream?: NodeJS.WritableStream): void;
  /**
   * Draw the prompt for the next line; a secret answer is not echoed; an answer (a menu
   * choice, an address) is kept out of the Up-arrow history, as a secret one is.
   */
  ask(prompt: string, secret: boolean, answer?: boolean): void;
  /** Forget what has been typed on the line. */
  discardLine(): void;
  close(): void;
}

type TtyOut = NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean };

/**
 * What readline draws goes through here, so that it can be muted while a password is typed;
 * readline reads the size from its output to wrap long lines, so the size is passed on.
 */
class Echo extends Writable {
  muted = false;
  readonly isTTY = true;
  constructor(private readonly out: TtyOut) {
    super();
    out.on('resize', () => this.emit('resize'));
  }
  get columns(): number | undefined {
    return this.out.columns;
  }
  get rows(): number | undefined {
    return this.out.rows;
  }
  // Passed on at once, never queued: the console also writes to `out` directly, and the
  // two must reach the screen in the order they were written.
  override _write(chunk: Buffer, _encoding: string, done: (error?: Error | null) => void): void {
    if (!this.muted) this.out.write(chunk);
    done();
  }
}

export const openTerminal = (
  input: NodeJS.ReadableStream = process.stdin,
  output: TtyOut = process.stdout,
): Terminal => {
  const tty = (input as { isTTY?: boolean }).isTTY === true && output.isTTY === true;
  const echo = new Echo(output);
  // Counted before readline sees each read (this listener is registered first).
  let reads = 0;
  const countRead = () => {
    reads += 1;
  };
  if (tty) input.on('data', countRead);
  const rl = createInterface({
    input,
    ...(tty ? { output: echo } : {}),
    terminal: tty,
    prompt: '',
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let prompt = '';
  let closed = false;
  /** The next line answers a question: not kept in the history. */
  let forgetNext = false;
  /** A prompt is drawn and the cursor is after it (not at the start of a fresh row). */
  let atPrompt = false;
  const closeReadline = rl.close.bind(rl);
  const shutDown = () => {
    // The shell's prompt must not land on the same row as ours.
    if (tty && atPrompt && !closed) output.write('\n');
    atPrompt = false;
    input.off('data', countRead);
    closeReadline();
  };
  let onEof = shutDown;
  // Ctrl-D on an empty line makes readline close itself. At a terminal the console decides
  // instead (it may ask first, or be in a question): it gets an `eof` and the input stays
  // open. The real end of the input still closes.
  if (tty) {
    rl.close = () => {
      const ended = (input as { readableEnded?: boolean }).readableEnded === true;
      if (closed || ended) shutDown();
      else onEof();
    };
  }
  // A password must not be found again with the up arrow.
  const history = (rl as unknown as { history?: string[] }).history;

  const input$ = new Observable<KeyboardInput>((subscriber) => {
    onEof = () => subscriber.next({ kind: 'eof' });
    rl.on('line', (text) => {
      atPrompt = false;
      if (echo.muted) {
        echo.muted = false;
        output.write('\n');
      }
      if (forgetNext && history?.[0] === text) history.shift();
      forgetNext = false;
      subscriber.next(tty ? { kind: 'line', text, read: reads } : { kind: 'line', text });
    });
    rl.on('SIGINT', () => subscriber.next({ kind: 'interrupt', typed: rl.line }));
    // Without a terminal Ctrl-C is a signal to the process, not a key.
    const onSignal = () => subscriber.next({ kind: 'interrupt', typed: '' });
    if (!tty) process.on('SIGINT', onSignal);
    rl.once('close', () => {
      closed = true;
      process.off('SIGINT', onSignal);
      subscriber.next({ kind: 'end' });
      subscriber.complete();
    });
    return shutDown;
  }).pipe(share());

  /** Draw the prompt and the typed line again, the cursor where it was, on a fresh row. */
  const redraw = () => {
    atPrompt = true;
    if (echo.muted) {
      output.write(prompt);
      return;
    }
    // readline moves up by the rows it last drew before redrawing; the text shown in between
    // has already moved the cursor below them. (prevRows: readline's own, not in its types.)
    (rl as unknown as { prevRows: number }).prevRows = 0;
    rl.prompt(true);
  };

  return {
    input$,
    show: (text, stream = output) => {
      if (!tty || closed) {
        stream.write(`${text}\n`);
        return;
      }
      // Back to where the prompt starts (a long line wraps onto several rows), clear it all.
      moveCursor(output, 0, -rl.getCursorPos().rows);
      cursorTo(output, 0);
      clearScreenDown(output);
      stream.write(`${text}\n`);
      redraw();
    },
    ask: (next, secret, answer = false) => {
      prompt = next;
      forgetNext = secret || answer;
      if (!tty || closed) return;
      echo.muted = false;
      rl.setPrompt(next);
      rl.prompt();
      atPrompt = true;
      echo.muted = secret;
    },
    discardLine: () => {
      if (closed) return;
      // Ctrl-E then Ctrl-U: to the end of the line, then delete back to its start.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
    },
    close: () => {
      echo.muted = false;
      shutDown();
    },
  };
};

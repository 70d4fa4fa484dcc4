import { PassThrough } from 'node:stream';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { openTerminal } from '../../src/streams/keyboard.js';

describe('the keyboard on a pipe', () => {
  it('gives each line, a CRLF split across writes as one ending, then the end', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const terminal = openTerminal(input, output);
    const inputs = firstValueFrom(terminal.input$.pipe(toArray()));
    input.write('hello\r');
    input.write('\nsecond line\n\nlast without newline');
    input.end();
    expect(await inputs).toEqual([
      { kind: 'line', text: 'hello' },
      { kind: 'line', text: 'second line' },
      { kind: 'line', text: '' },
      { kind: 'line', text: 'last without newline' },
      { kind: 'end' },
    ]);
  });

  it('prints text from elsewhere as whole lines', () => {
    const output = new PassThrough();
    const terminal = openTerminal(new PassThrough(), output);
    terminal.show('[12:00:00] bob: hi');
    expect(output.read()?.toString()).toBe('[12:00:00] bob: hi\n');
    terminal.close();
  });
});

/** A stand-in terminal: readline sees a TTY on both sides and gets raw key bytes. */
const fakeTty = () => {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
  let drawn = '';
  output.on('data', (d) => (drawn += d));
  return { input, output, drawn: () => drawn };
};

describe('the keyboard at a terminal', () => {
  it('an answer to a question is kept out of the Up-arrow history; a message is kept (issue 22.7)', async () => {
    const { input, output } = fakeTty();
    const terminal = openTerminal(input, output);
    const lines: string[] = [];
    terminal.input$.subscribe((i) => i.kind === 'line' && lines.push(i.text));
    const tick = () => new Promise((r) => setImmediate(r));
    terminal.ask('alice> ', false);
    input.write('hello bob\r');
    await tick();
    terminal.ask('send to> ', false, true);
    input.write('1\r');
    await tick();
    terminal.ask('alice> ', false);
    input.write('\x1b[A'); // Up: the line before, which is the message, not the answer "1"
    await tick();
    input.write('\r');
    await tick();
    expect(lines).toEqual(['hello bob', '1', 'hello bob']);
    terminal.close();
  });

  it('numbers its reads: lines pasted in one read share a number, a line typed later does not', async () => {
    const { input, output } = fakeTty();
    const terminal = openTerminal(input, output);
    const inputs: unknown[] = [];
    terminal.input$.subscribe((i) => inputs.push(i));
    input.write('todo list\r1\rprivate notes\r');
    await new Promise((r) => setImmediate(r));
    input.write('2\r');
    await new Promise((r) => setImmediate(r));
    expect(inputs).toEqual([
      { kind: 'line', text: 'todo list', read: 1 },
      { kind: 'line', text: '1', read: 1 },
      { kind: 'line', text: 'private notes', read: 1 },
      { kind: 'line', text: '2', read: 2 },
    ]);
    terminal.close();
  });

  it('Ctrl-D on an empty line is an input of its own; the input stays open', async () => {
    const { input, output } = fakeTty();
    const terminal = openTerminal(input, output);
    const inputs: unknown[] = [];
    let completed = false;
    terminal.input$.subscribe({ next: (i) => inputs.push(i), complete: () => (completed = true) });
    terminal.ask('alice> ', false);
    input.write('ab\x04'); // with text on the line, Ctrl-D deletes (nothing right of the cursor)
    input.write('\x15\x04'); // Ctrl-U empties the line, then Ctrl-D
    input.write('still here\r');
    await new Promise((r) => setImmediate(r));
    expect(inputs).toEqual([{ kind: 'eof' }, { kind: 'line', text: 'still here', read: 3 }]);
    expect(completed).toBe(false);
    input.end();
    await new Promise((r) => setImmediate(r));
    expect(inputs.at(-1)).toEqual({ kind: 'end' });
    expect(completed).toBe(true);
  });

  it('closing after a prompt ends the row, so the shell prompt starts on a fresh line', async () => {
    const { input, output, drawn } = fakeTty();
    const terminal = openTerminal(input, output);
    terminal.input$.subscribe();
    terminal.ask('alice> ', false);
    terminal.close();
    await new Promise((r) => setImmediate(r));
    // The prompt, readline's move of the cursor after it, then the end of the row.
    expect(drawn().split('\u001b[8G').join('')).toMatch(/alice> \n$/);
  });

  it('closing right after a line was entered adds no empty row', async () => {
    const { input, output, drawn } = fakeTty();
    const terminal = openTerminal(input, output);
    terminal.input$.subscribe(() => terminal.close());
    terminal.ask('alice> ', false);
    input.write('/quit\r');
    await new Promise((r) => setImmediate(r));
    expect(drawn().endsWith('/quit\r\n')).toBe(true);
  });
});

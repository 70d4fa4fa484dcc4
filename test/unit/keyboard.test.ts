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

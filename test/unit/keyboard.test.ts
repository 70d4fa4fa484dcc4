import { PassThrough } from 'node:stream';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { keyboardLines$ } from '../../src/streams/keyboard.js';

describe('keyboardLines$', () => {
  it('emits each line without its ending and completes when the input ends', async () => {
    const input = new PassThrough();
    const lines = firstValueFrom(keyboardLines$(input).pipe(toArray()));
    input.write('hello\nGrüße 👋\r');
    input.write('\nlast line without newline');
    input.end();
    expect(await lines).toEqual(['hello', 'Grüße 👋', 'last line without newline']);
  });

  it('keeps empty lines', async () => {
    const input = new PassThrough();
    const lines = firstValueFrom(keyboardLines$(input).pipe(toArray()));
    input.end('a\n\nb\n');
    expect(await lines).toEqual(['a', '', 'b']);
  });

  it('stops reading the input on unsubscribe', async () => {
    const input = new PassThrough();
    const seen: string[] = [];
    let completed = false;
    const subscription = keyboardLines$(input).subscribe({
      next: (line) => seen.push(line),
      complete: () => (completed = true),
    });
    input.write('before\n');
    await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    input.write('after\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['before']);
    expect(completed).toBe(false);
    expect(input.isPaused()).toBe(true);
    expect(input.listenerCount('data')).toBe(0);
  });
});

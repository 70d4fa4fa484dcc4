/**
 * A peer's words on a terminal: every character that would act on the terminal is shown as an
 * escape, and the words are cut to a stated length. Usernames refuse those characters.
 */
import { describe, expect, it } from 'vitest';
import { isUsername } from '../../src/codecs/formats.js';
import { hasUnsafeCharacters, printable, printableText } from '../../src/codecs/printable.js';

// What the review's fake peer sent: clear the screen, set the window title, a fake green tick.
const ATTACK = '\u001b[2J\u001b]0;pwned\u0007\u001b[32m✓ delivered\u001b[0m';

describe('printable', () => {
  it('shows C0 controls, DEL and C1 controls as escapes', () => {
    expect(printable(ATTACK, 200)).toBe(
      '\\u001b[2J\\u001b]0;pwned\\u0007\\u001b[32m✓ delivered\\u001b[0m',
    );
    expect(printable('a\u007fb\u0080c\u009bd\u009de', 200)).toBe(
      'a\\u007fb\\u0080c\\u009bd\\u009de',
    );
  });

  it('shows the bidirectional controls and the line separators as escapes', () => {
    expect(printable('alice\u202eecila\u2066x\u2069\u200e\u200f\u061c', 200)).toBe(
      'alice\\u202eecila\\u2066x\\u2069\\u200e\\u200f\\u061c',
    );
    expect(printable('a\u202ab\u202bc\u202cd\u202de\u2067\u2068', 200)).toBe(
      'a\\u202ab\\u202bc\\u202cd\\u202de\\u2067\\u2068',
    );
    expect(printable('one\u2028two\u2029', 200)).toBe('one\\u2028two\\u2029');
  });

  it('shows a lone surrogate half as an escape, and keeps a paired one (an emoji)', () => {
    expect(printable('x\ud800y\udc00', 200)).toBe('x\\ud800y\\udc00');
    expect(printable('ok 😀', 200)).toBe('ok 😀');
  });

  it('escapes newline and tab in one-line words, keeps them in a message', () => {
    expect(printable('a\nb\tc\rd', 200)).toBe('a\\u000ab\\u0009c\\u000dd');
    expect(printableText('a\nb\tc\rd\u001b')).toBe('a\nb\tc\\u000dd\\u001b');
  });

  it('cuts to the stated number of characters (code points), then escapes', () => {
    expect(printable('x'.repeat(300), 200)).toBe(`${'x'.repeat(200)}…`);
    expect(printable('😀'.repeat(5), 3)).toBe('😀😀😀…');
    expect(printable('abc', 3)).toBe('abc');
    expect(printable(`${'\u001b'.repeat(10)}`, 2)).toBe('\\u001b\\u001b…');
  });

  it('leaves ordinary text of any script alone', () => {
    const text = 'héllo wörld — 你好 · مرحبا · שלום';
    expect(printable(text, 200)).toBe(text);
    expect(hasUnsafeCharacters(text)).toBe(false);
  });
});

describe('usernames', () => {
  it('refuse C1 controls, bidirectional controls and lone surrogates', () => {
    for (const name of [
      'ali\u009bce',
      'alice\u202eecila',
      'a\u2066b',
      'a\u200fb',
      '\ud800',
      'a\udfffb',
    ]) {
      expect(isUsername(name)).toBe(false);
    }
  });

  it('still accept what the contract allows: any script, emoji, spaces', () => {
    for (const name of ['alice', 'Zoë', '你好', 'مرحبا', 'bob 😀', 'a b']) {
      expect(isUsername(name)).toBe(true);
    }
  });
});

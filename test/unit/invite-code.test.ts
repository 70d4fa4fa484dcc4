import { wordlist } from '@scure/bip39/wordlists/english.js';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { makeCode, normaliseCode, parseCode } from '../../src/invite/code.js';

const counter = (values: number[]) => {
  let i = 0;
  return (size: number) => {
    const b = Buffer.alloc(size);
    b.writeUInt32BE(values[i++ % values.length]!, 0);
    return b;
  };
};

describe('invite codes', () => {
  it('makes N-word-word from the injected random bytes', () => {
    expect(makeCode(counter([6, 0, 2047]))).toBe(`7-abandon-${wordlist[2047]}`);
    expect(makeCode(counter([99, 1, 2]))).toBe(`100-${wordlist[1]}-${wordlist[2]}`);
  });

  it('rejects the biased tail of 32-bit values instead of reducing them', () => {
    // 2^32 - 1 is above the largest multiple of 100: it is drawn again.
    expect(makeCode(counter([0xffffffff, 6, 0, 0]))).toBe('7-abandon-abandon');
  });

  it('every code it makes parses back to itself', () => {
    let seed = 1;
    const bytes = (size: number) => {
      const b = Buffer.alloc(size);
      seed = (seed * 1103515245 + 12345) >>> 0;
      b.writeUInt32BE(seed, 0);
      return b;
    };
    for (let i = 0; i < 200; i++) {
      const code = makeCode(bytes);
      expect(parseCode(code)).toEqual(E.right(code));
    }
  });

  it('normalises what people type', () => {
    expect(normaliseCode('  7 Crater__LAMP ')).toBe('7-crater-lamp');
    expect(parseCode(' 7  crater - lamp')).toEqual(E.right('7-crater-lamp'));
    expect(parseCode('07-crater-lamp')).toEqual(E.right('7-crater-lamp'));
  });

  it.each([
    ['0-crater-lamp', 'not a number from 1 to 100'],
    ['101-crater-lamp', 'not a number from 1 to 100'],
    ['seven-crater-lamp', 'not a number'],
    ['7-crater-lantern', '"lantern" is not one of the code words'],
    ['7-crater', '2 parts instead of 3'],
    ['', '0 parts instead of 3'],
  ])('refuses %j with a sentence', (text, why) => {
    const result = parseCode(text);
    expect(E.isLeft(result) && result.left.code).toBe('invalid_input');
    expect(E.isLeft(result) && result.left.message).toContain(why);
  });
});

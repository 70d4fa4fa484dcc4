/**
 * Invite codes: `N-word-word`, N in 1..100 and two words of the BIP-39 English list (2048
 * words), 100·2048² ≈ 2^28.6 codes. CPace lets a wrong guesser test one code per connection,
 * and the invite burns after a few wrong ones, so this is enough for the minutes it lives.
 */
import { wordlist } from '@scure/bip39/wordlists/english.js';
import * as E from 'fp-ts/lib/Either.js';
import { type ParleyError, parleyError } from '../errors.js';

export const MAX_CODE_NUMBER = 100;
const WORDS: ReadonlySet<string> = new Set(wordlist);

/** A normalised code: what both sides feed CPace as its PRS (UTF-8). */
export type Code = string & { readonly InviteCode: unique symbol };

/** A uniform integer in [0, bound) from 4 random bytes, rejecting the biased tail. */
const uniform = (bytes: (size: number) => Buffer, bound: number): number => {
  const limit = 2 ** 32 - (2 ** 32 % bound);
  for (;;) {
    const value = bytes(4).readUInt32BE(0);
    if (value < limit) return value % bound;
  }
};

/** A fresh code from the injected random bytes. */
export const makeCode = (bytes: (size: number) => Buffer): Code =>
  `${1 + uniform(bytes, MAX_CODE_NUMBER)}-${wordlist[uniform(bytes, wordlist.length)]}-${wordlist[uniform(bytes, wordlist.length)]}` as Code;

/** Trim, lowercase, and any run of spaces, hyphens or underscores becomes one "-". */
export const normaliseCode = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-');

const refuse = (why: string): E.Either<ParleyError, Code> =>
  E.left(
    parleyError(
      'invalid_input',
      `${why}; an invite code is a number from 1 to ${MAX_CODE_NUMBER} and two words, like "7-crater-lamp": type it as the inviter's screen shows it.`,
    ),
  );

/** A typed code, normalised, or a sentence saying what is wrong with it. */
export const parseCode = (text: string): E.Either<ParleyError, Code> => {
  const code = normaliseCode(text);
  const parts = code.split('-').filter((p) => p !== '');
  if (parts.length !== 3) return refuse(`the code has ${parts.length} parts instead of 3`);
  const [n, first, second] = parts as [string, string, string];
  if (!/^[0-9]{1,3}$/.test(n) || Number(n) < 1 || Number(n) > MAX_CODE_NUMBER) {
    return refuse(`"${n.slice(0, 20)}" is not a number from 1 to ${MAX_CODE_NUMBER}`);
  }
  for (const word of [first, second]) {
    if (!WORDS.has(word)) return refuse(`"${word.slice(0, 20)}" is not one of the code words`);
  }
  return E.right(`${Number(n)}-${first}-${second}` as Code);
};

/**
 * The actors and codecs are pure: no socket, no clock, no randomness of their own, so that
 * marble tests drive them deterministically. This guards the rule as the code grows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FORBIDDEN = [
  /from 'node:(net|dgram|tls|http|https|fs)'/,
  /\bDate\.now\(/,
  /new Date\(\)/,
  /Math\.random\(/,
  /\bperformance\.now\(/,
  /\bset(Timeout|Interval|Immediate)\(/,
  // Only injected randomness (`deps.randomBytes(…)`) is allowed.
  /(?<!\.)\b(randomBytes|randomUUID)\(/,
  // The node's memory of messages (perhaps a file) is asked through a `deliver` effect.
  /\.remember\(/,
];

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

describe.each(['src/actors', 'src/codecs'])('%s', (dir) => {
  it.each(sources(dir))('%s touches no socket, clock or randomness', (file) => {
    // isIP is a pure string check (the directory codec validates addresses with it).
    const text = readFileSync(file, 'utf8').replace("import { isIP } from 'node:net';", '');
    expect(FORBIDDEN.filter((pattern) => pattern.test(text)).map(String)).toEqual([]);
  });
});

// Crypto makes its own fresh keys (randomness is its job), but does no I/O and reads no clock.
describe('src/crypto', () => {
  it.each(sources('src/crypto'))('%s touches no socket, file or clock', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(
      FORBIDDEN.slice(0, 6)
        .filter((pattern) => pattern.test(text))
        .map(String),
    ).toEqual([]);
  });
});

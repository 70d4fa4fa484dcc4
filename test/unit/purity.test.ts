/**
 * The actors and codecs are pure: no socket, no clock, no randomness of their own, so that
 * marble tests drive them deterministically. This guards the rule as the code grows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sources } from '../support/sources.js';

const FORBIDDEN = [
  /from 'node:(net|dgram|tls|http|https|fs)'/,
  /\bDate\.now\(/,
  /new Date\(\)/,
  /Math\.random\(/,
  /\bperformance\.now\(/,
  /\bset(Timeout|Interval|Immediate)\(/,
  // Only injected randomness (`deps.randomBytes(…)`) is allowed: not `randomBytes(…)` imported,
  // not `crypto.randomBytes(…)`, nor any other way to ask the platform for random bytes.
  /(?<!\bdeps\.)\b(randomBytes|randomUUID|randomFillSync|randomFill|randomInt|getRandomValues)\(/,
  // The node's memory of messages (perhaps a file) is asked through a `deliver` effect.
  /\.remember\(/,
];

/** The forbidden patterns that `text` matches, as strings (the first `upTo` of them). */
const violations = (text: string, upTo = FORBIDDEN.length): string[] =>
  FORBIDDEN.slice(0, upTo)
    .filter((pattern) => pattern.test(text))
    .map(String);

describe.each(['src/actors', 'src/codecs', 'src/console'])('%s', (dir) => {
  it.each(sources(dir))('%s touches no socket, clock or randomness', (file) => {
    // isIP is a pure string check (the directory codec validates addresses with it).
    const text = readFileSync(file, 'utf8').replace("import { isIP } from 'node:net';", '');
    expect(violations(text)).toEqual([]);
  });
});

// Crypto makes its own fresh keys (randomness is its job), but does no I/O and reads no clock.
describe('src/crypto', () => {
  it.each(sources('src/crypto'))('%s touches no socket, file or clock', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(violations(text, 6)).toEqual([]);
  });
});

// The checker itself, on samples: a pattern that lets a call through guards nothing.
describe('the checker', () => {
  it.each([
    'const n = crypto.randomBytes(16);',
    'const n = randomBytes(16);',
    "import { randomUUID } from 'node:crypto'; randomUUID();",
    'const id = crypto.randomUUID();',
    'randomFillSync(buffer);',
    'globalThis.crypto.getRandomValues(new Uint8Array(16));',
    'const pick = randomInt(6);',
    'const t = Date.now();',
    'const d = new Date();',
    'const j = Math.random();',
    'performance.now();',
    'setTimeout(f, 10);',
    "import { createConnection } from 'node:net';",
    "import { readFileSync } from 'node:fs';",
    'deps.dedupe.remember(key, now);',
  ])('catches %s', (sample) => {
    expect(violations(sample)).not.toEqual([]);
  });

  it.each([
    'const n = deps.randomBytes(16);',
    'readonly randomBytes: (size: number) => Buffer;',
    'const at = deps.now();',
    'new Date(deps.now())',
  ])('lets %s through', (sample) => {
    expect(violations(sample)).toEqual([]);
  });
});

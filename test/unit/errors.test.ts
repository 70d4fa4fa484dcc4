/**
 * One error vocabulary (issue 17, item 6): every failure in `src` is a `ParleyError` with a
 * code a program can switch on; strings only at the CLI's edge, where a command says it.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { checkName, checkPort } from '../../src/cli/args.js';
import { startNode } from '../../src/cli/common.js';
import { retryFromEnvironment } from '../../src/cli/retry-env.js';
import { checkSecret } from '../../src/console/forms.js';
import { errnoCode, parleyError, reworded, whyOf } from '../../src/errors.js';
import { sources } from '../support/sources.js';

/** `Either<string, …>` however it is spelled (`E.Either<string,`, `Either< string ,`). */
const STRING_LEFT = /\bEither\s*<\s*string\s*,/;

describe('one error vocabulary', () => {
  it.each(sources('src'))('%s has no Either<string, …>', (file) => {
    expect(readFileSync(file, 'utf8')).not.toMatch(STRING_LEFT);
  });

  it('the scan would see one', () => {
    expect('const f = (): E.Either<string, number> =>').toMatch(STRING_LEFT);
    expect('Either< string ,Directory>').toMatch(STRING_LEFT);
    expect('E.Either<ParleyError, string>').not.toMatch(STRING_LEFT);
  });
});

describe('errnoCode', () => {
  it("is a Node error's errno code, and undefined for anything else", () => {
    let thrown: unknown;
    try {
      statSync(join('/nonexistent', String(process.pid)));
    } catch (err) {
      thrown = err;
    }
    expect(errnoCode(thrown)).toBe('ENOENT');
    expect(errnoCode(new Error('plain'))).toBeUndefined();
    expect(errnoCode(Object.assign(new Error('odd'), { code: 42 }))).toBeUndefined();
    expect(errnoCode('ENOENT')).toBeUndefined();
    expect(errnoCode(null)).toBeUndefined();
    expect(errnoCode(undefined)).toBeUndefined();
  });
});

describe('whyOf and reworded', () => {
  it("says an Error's message, else the thing itself", () => {
    expect(whyOf(new Error('disk full'))).toBe('disk full');
    expect(whyOf('gone')).toBe('gone');
    expect(whyOf(7)).toBe('7');
  });

  it('keeps the code and puts the sentence inside another', () => {
    expect(reworded(parleyError('outbox_file', 'line 2: bad'), 'f: ')).toEqual({
      code: 'outbox_file',
      message: 'f: line 2: bad',
    });
    expect(reworded(parleyError('usage', 'x'), '(', ')')).toEqual(parleyError('usage', '(x)'));
  });
});

describe('startNode (the CLI)', () => {
  it("keeps a start-up failure's code: a program can tell a bad option from a port in use", async () => {
    const started = await startNode({ name: 'alice', maxQueued: 0, listen: false });
    expect(E.isLeft(started) && started.left).toEqual({
      code: 'bad_option',
      message: expect.stringContaining('option maxQueued: expected'),
    });
  });
});

describe('the checks of what is typed', () => {
  it('say a usage error, a bad password or a bad setting by its code', () => {
    expect(checkName('\u0007')).toEqual(
      E.left(
        parleyError('usage', "'\u0007' is not a username (1–64 characters, no control characters)"),
      ),
    );
    expect(E.isLeft(checkPort('70000', false)) && checkPort('70000', false)).toMatchObject({
      left: { code: 'usage' },
    });
    expect(checkSecret('x'.repeat(1025))).toEqual(
      E.left(parleyError('invalid_input', 'a password has at most 1024 characters')),
    );
    expect(retryFromEnvironment({ PARLEY_RETRY_BASE_MS: 'soon' })).toMatchObject({
      left: { code: 'bad_option' },
    });
  });
});

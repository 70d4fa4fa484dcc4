/**
 * The start-up questions, answered by a script instead of a person.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatOptions } from '../../src/cli/args.js';
import { type Ask, setUpChat } from '../../src/cli/startup.js';
import { parleyError } from '../../src/errors.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-startup-'));
  file = join(dir, 'alice.json');
  writeFileSync(file, '[{"username":"bob","password":"pw","port":5002,"ip":"127.0.0.1"}]');
  chmodSync(file, 0o600);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const options = (over: Partial<ChatOptions> = {}): ChatOptions => ({
  command: 'chat',
  port: undefined,
  directory: undefined,
  name: undefined,
  group: 'modp14',
  bind: '0.0.0.0',
  verbose: false,
  ...over,
});

/** Answers in order, and records the questions. */
const scripted = (answers: string[]) => {
  const asked: string[] = [];
  const ask: Ask = (question) => {
    asked.push(question);
    return answers.shift() ?? '';
  };
  return { ask, asked };
};

describe('setUpChat', () => {
  it('asks port, directory file and username, in the course order', () => {
    const { ask, asked } = scripted(['5001', file, 'alice']);
    const told: string[] = [];
    const setup = setUpChat(options(), ask, (l) => told.push(l));
    expect(asked).toEqual(['Port to listen on: ', 'Directory file: ', 'Your username: ']);
    expect(E.isRight(setup) && setup.right).toMatchObject({
      port: 5001,
      directoryFile: file,
      name: 'alice',
    });
    expect(told).toEqual([]);
  });

  it('asks again after a wrong answer, saying why', () => {
    const { ask, asked } = scripted(['port?', '5001', join(dir, 'typo.json'), file, 'alice']);
    const told: string[] = [];
    expect(E.isRight(setUpChat(options(), ask, (l) => told.push(l)))).toBe(true);
    expect(asked).toHaveLength(5);
    expect(told).toEqual([
      "port 'port?' is not a number from 0 to 65535",
      `directory file ${join(dir, 'typo.json')}: no such file`,
    ]);
  });

  it('asks only what the flags did not give', () => {
    const { ask, asked } = scripted(['alice']);
    setUpChat(options({ port: 0, directory: file }), ask, () => {});
    expect(asked).toEqual(['Your username: ']);
  });

  it('without a terminal, names the missing flags instead of asking', () => {
    expect(setUpChat(options({ port: 5001 }), undefined, () => {}, 'node dist/main.js')).toEqual(
      E.left(
        parleyError(
          'no_terminal',
          'no terminal to ask on, and --directory, --name are missing: run node dist/main.js --port P --directory FILE --name NAME (see node dist/main.js --help)',
        ),
      ),
    );
  });

  it('a directory named by a flag that cannot be used is an error, not a question', () => {
    const { ask, asked } = scripted([]);
    const setup = setUpChat(
      options({ port: 1, directory: join(dir, 'x.json'), name: 'a' }),
      ask,
      () => {},
    );
    expect(setup).toEqual(
      E.left(parleyError('directory_file', `directory file ${join(dir, 'x.json')}: no such file`)),
    );
    expect(asked).toEqual([]);
  });

  it('gives up after five unusable answers (the input may have ended)', () => {
    const { ask, asked } = scripted([]);
    expect(setUpChat(options(), ask, () => {})).toEqual(
      E.left(parleyError('no_answer', 'no usable answer after 5 tries')),
    );
    expect(asked).toHaveLength(5);
  });
});

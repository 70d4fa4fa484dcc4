import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { retryFromEnvironment } from '../../src/cli/retry-env.js';
import { parleyError } from '../../src/errors.js';

const ok = (argv: string[]) => {
  const parsed = parseCommandLine(argv);
  if (E.isLeft(parsed)) throw new Error(parsed.left.message);
  return parsed.right;
};
const usage = (argv: string[]) => {
  const parsed = parseCommandLine(argv);
  if (E.isRight(parsed)) throw new Error(`accepted ${argv.join(' ')}`);
  return parsed.left;
};

describe('parley (the chat)', () => {
  it('takes every start-up answer as a flag; the group defaults to cpace-ristretto255', () => {
    expect(ok(['--port', '5001', '--directory', 'a.json', '--name', 'alice'])).toEqual({
      command: 'chat',
      port: 5001,
      directory: 'a.json',
      name: 'alice',
      group: 'cpace-ristretto255',
      bind: '0.0.0.0',
      verbose: false,
    });
  });

  it('leaves what is missing undefined, to be asked for', () => {
    expect(ok([])).toMatchObject({ port: undefined, directory: undefined, name: undefined });
  });

  it('says what is wrong with a value, in one sentence', () => {
    expect(usage(['--port', '70000']).message).toBe("port '70000' is not a number from 0 to 65535");
    expect(usage(['--port', '5e3']).message).toBe("port '5e3' is not a number from 0 to 65535");
    expect(usage(['--group', 'modp2048']).message).toBe(
      "unknown DH group 'modp2048': use cpace-ristretto255, modp14, x25519",
    );
    expect(usage(['--name', 'a\u0007b']).message).toContain('is not a username');
    expect(usage(['--colour'])).toEqual({
      code: 'usage',
      command: 'chat',
      message: "unknown option '--colour'",
    });
    expect(usage(['--port']).message).toBe("option '--port <value>' argument missing");
  });

  it('--help, -h, help COMMAND and --version', () => {
    expect(ok(['--help'])).toEqual({ command: 'help', topic: 'chat' });
    expect(ok(['send', '-h'])).toEqual({ command: 'help', topic: 'send' });
    expect(ok(['help', 'probe'])).toEqual({ command: 'help', topic: 'probe' });
    expect(ok(['--version'])).toEqual({ command: 'version' });
  });

  it('--version works after every command, before its own checks', () => {
    for (const command of ['listen', 'send', 'probe', 'chat']) {
      expect(ok([command, '--version'])).toEqual({ command: 'version' });
    }
    expect(ok(['send', '--to', 'bob', '--version'])).toEqual({ command: 'version' });
  });
});

describe('parley listen / send / probe', () => {
  it('listen needs --port, --name and --directory', () => {
    expect(usage(['listen', '--name', 'bob', '--directory', 'b.json'])).toEqual({
      code: 'usage',
      command: 'listen',
      message: '--port is required',
    });
    expect(
      ok(['listen', '--port', '0', '--name', 'bob', '--directory', 'b.json', '--json']),
    ).toMatchObject({
      command: 'listen',
      port: 0,
      json: true,
    });
  });

  it('send to a contact: the words after the options are the text', () => {
    const argv = [
      'send',
      '--name',
      'alice',
      '--directory',
      'a.json',
      '--to',
      'bob',
      'hello',
      'there',
    ];
    expect(ok(argv)).toMatchObject({
      to: { kind: 'contact', username: 'bob' },
      text: 'hello there',
      group: 'cpace-ristretto255',
    });
  });

  it('send without words reads stdin; a manual destination needs no directory', () => {
    expect(ok(['send', '--name', 'alice', '--host', '127.0.0.1', '--port', '5002'])).toMatchObject({
      to: { kind: 'manual', host: '127.0.0.1', port: 5002 },
      directory: undefined,
      text: undefined,
    });
  });

  it('send: the destination is one of --to or --host/--port, and never a secret', () => {
    const base = ['send', '--name', 'alice', '--directory', 'a.json'];
    expect(usage(base).message).toBe('say who to send to: --to USER, or --host H --port P');
    expect(usage([...base, '--to', 'bob', '--host', 'h']).message).toBe(
      'give either --to USER or --host H --port P, not both',
    );
    expect(usage([...base, '--host', 'h', '--port', '0']).message).toContain('from 1 to 65535');
    expect(usage(['send', '--name', 'a', '--to', 'bob']).message).toBe(
      '--directory is required to send to a contact by name',
    );
    expect(usage([...base, '--to', 'bob', '--secret', 'x']).message).toBe(
      "unknown option '--secret'",
    );
  });

  it('send --queue: only to a contact, since the outbox keeps no password', () => {
    const base = ['send', '--name', 'alice', '--directory', 'a.json', '--to', 'bob', 'hi'];
    expect(ok(base)).toMatchObject({ queue: false });
    expect(ok([...base, '--queue'])).toMatchObject({ queue: true, to: { kind: 'contact' } });
    const byHand = ['send', '--name', 'alice', '--host', 'h', '--port', '5002', '--queue'];
    expect(usage(byHand).message).toBe(
      '--queue needs --to USER: the outbox keeps no passwords, so it cannot hold a destination typed by hand',
    );
  });

  it('outbox: of one name, or of every name; --json', () => {
    expect(ok(['outbox'])).toEqual({ command: 'outbox', name: undefined, json: false });
    expect(ok(['outbox', '--name', 'alice', '--json'])).toEqual({
      command: 'outbox',
      name: 'alice',
      json: true,
    });
    expect(ok(['outbox', '--help'])).toEqual({ command: 'help', topic: 'outbox' });
    expect(usage(['outbox', '--group', 'x25519']).message).toBe("unknown option '--group'");
  });

  it('probe: all contacts, or one', () => {
    expect(ok(['probe', '--name', 'alice', '--directory', 'a.json'])).toMatchObject({
      to: undefined,
    });
    expect(ok(['probe', '--name', 'alice', '--directory', 'a.json', '--to', 'bob'])).toMatchObject({
      to: 'bob',
    });
    expect(usage(['probe', '--name', 'alice', '--directory', 'a.json', 'bob']).message).toBe(
      "unexpected argument 'bob'",
    );
  });
});

describe('PARLEY_RETRY_BASE_MS: the retry schedule shortened, for tests', () => {
  const retry = (value: string | undefined) =>
    retryFromEnvironment(value === undefined ? {} : { PARLEY_RETRY_BASE_MS: value });

  it('unset or empty: the default schedule', () => {
    expect(retry(undefined)).toEqual(E.right(undefined));
    expect(retry('')).toEqual(E.right(undefined));
  });

  it('the first wait, and the longest in proportion (90 times it, as 15 min is 10 s)', () => {
    expect(retry('100')).toEqual(E.right({ firstMs: 100, maxMs: 9_000 }));
    expect(retry('500')).toEqual(E.right({ firstMs: 500, maxMs: 45_000 }));
    expect(retry('10000')).toEqual(E.right({ firstMs: 10_000, maxMs: 900_000 }));
  });

  it.each(['99', '10001', '0', '-5', '1.5', '1e3', ' 500', 'soon'])(
    'refuses %j, saying what it must be',
    (value) => {
      expect(retry(value)).toEqual(
        E.left(
          parleyError(
            'bad_option',
            `PARLEY_RETRY_BASE_MS is ${JSON.stringify(value)}: set it to a whole number of ` +
              'milliseconds from 100 to 10000 (the first wait before a message goes out again), ' +
              'or unset it',
          ),
        ),
      );
    },
  );
});

describe('a value that starts with a dash (issue 22.7)', () => {
  it('--port -1 is refused in our words, as --port=-1 is, not node:util advice', () => {
    for (const argv of [
      ['--port', '-1'],
      ['--port=-1'],
      ['listen', '--port', '-1', '--name', 'a', '--directory', 'f'],
    ]) {
      const parsed = parseCommandLine(argv);
      expect(E.isLeft(parsed) && parsed.left.message).toBe(
        "port '-1' is not a number from 0 to 65535",
      );
    }
  });

  it("another such value: node:util's first sentence only", () => {
    const parsed = parseCommandLine(['--name', '-x']);
    expect(E.isLeft(parsed) && parsed.left.message).toBe("option '--name' argument is ambiguous");
  });
});

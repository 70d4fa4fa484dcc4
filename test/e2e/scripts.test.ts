/**
 * parley for scripts and other programs: `listen`, `send` and `probe` as child processes
 * with no terminal, their stdout, stderr and exit status.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closedPort, LOCALHOST, parley, SECRET, startListener, useScene } from './harness.js';

const scene = useScene();
const { startBob, aliceKnowing } = scene;

/** alice's `parley send` with her directory file; the rest of the arguments as given. */
const aliceSends = (directory: string, rest: string[], options?: Parameters<typeof parley>[1]) =>
  parley(['send', '--name', 'alice', '--directory', directory, ...rest], options);

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

describe('listen --json and send', () => {
  it('each verified message is one JSON line; send exits 0 after the verified ack', async () => {
    const { bob, port } = await startBob();
    const directory = aliceKnowing(port);
    const send = aliceSends(directory, ['--to', 'bob', 'hello', 'bob']);
    expect(await send.exited()).toBe(0);
    expect(send.stderr()).toMatch(/^parley: ✓ delivered to bob in \d+ ms\n$/);
    expect(send.stdout()).toBe('');

    // The text from stdin, over the other group, with the report as JSON.
    const piped = aliceSends(directory, ['--to', 'bob', '--group', 'x25519', '--json'], {
      input: 'line one\nline two\n',
    });
    expect(await piped.exited()).toBe(0);
    expect(JSON.parse(piped.stdout())).toMatchObject({ outcome: 'delivered', peer: 'bob' });

    await bob.waitFor('stdout', /line two/);
    const [first, second] = jsonLines(bob.stdout());
    expect(Object.keys(first)).toEqual(['from', 'to', 'text', 'msg_id', 'timestamp']);
    expect(first).toMatchObject({ from: 'alice', to: 'bob', text: 'hello bob' });
    expect(first.msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toMatchObject({ text: 'line one\nline two' });
    expect(bob.stderr()).not.toContain('hello bob');

    bob.child.kill('SIGTERM');
    expect(await bob.exited()).toBe(0);
  });

  it('a 150 KB text goes as parts and listen --json prints it once, whole', async () => {
    const { bob, port } = await startBob();
    const text = `${'0123456789abcdef '.repeat(9_000)}the end`;
    const file = scene.folder().file('long.txt', text);
    const send = parley(
      ['send', '--name', 'alice', '--directory', aliceKnowing(port), '--to', 'bob', '--json'],
      { input: readFileSync(file, 'utf8') },
    );
    expect(await send.exited()).toBe(0);
    const report = JSON.parse(send.stdout());
    expect(report).toMatchObject({ outcome: 'delivered', peer: 'bob' });
    // The group's id: its last 8 hex digits zero.
    expect(report.msg_id).toMatch(/^[0-9a-f-]{28}00000000$/);
    await bob.waitFor('stdout', /the end/);
    const lines = jsonLines(bob.stdout());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ from: 'alice', text, msg_id: report.msg_id });
    bob.child.kill('SIGTERM');
    expect(await bob.exited()).toBe(0);
  });

  it('listen without --json prints each message for a person', async () => {
    const { bob, port } = await startBob([]);
    const send = aliceSends(aliceKnowing(port), ['--to', 'bob', 'hi']);
    expect(await send.exited()).toBe(0);
    await bob.waitFor('stdout', /^\[\d\d:\d\d:\d\d\] alice: hi$/m);
  });

  it('a destination by hand takes its secret from PARLEY_SECRET, never from the command line', async () => {
    const { bob, port } = await startBob();
    const args = [
      'send',
      '--name',
      'alice',
      '--host',
      LOCALHOST,
      '--port',
      String(port),
      'by hand',
    ];
    const send = parley(args, { env: { PARLEY_SECRET: SECRET } });
    expect(await send.exited()).toBe(0);
    await bob.waitFor('stdout', '"text":"by hand"');

    const withoutSecret = parley(args);
    expect(await withoutSecret.exited()).toBe(2);
    expect(withoutSecret.stderr()).toContain('set the environment variable PARLEY_SECRET');
  });

  it('not delivered: exit 1 and the reason on stderr', async () => {
    const { port } = await startBob();
    const wrong = aliceSends(aliceKnowing(port, 'wrong'), ['--to', 'bob', 'x']);
    expect(await wrong.exited()).toBe(1);
    expect(wrong.stderr()).toContain(
      `✗ not delivered to bob: the peer at 127.0.0.1:${port} says the password does not match (auth_failed), which may not be bob`,
    );

    const offline = await closedPort();
    const gone = aliceSends(aliceKnowing(offline), ['--to', 'bob', 'x']);
    expect(await gone.exited()).toBe(1);
    expect(gone.stderr()).toContain(`bob is not reachable at 127.0.0.1:${offline}`);
  });

  it('usage and input errors: exit 2, one sentence', async () => {
    const directory = aliceKnowing(5002);
    const cases: [string[], string, string?][] = [
      [['send', '--name', 'alice', '--directory', directory], 'say who to send to'],
      [
        ['send', '--name', 'alice', '--directory', directory, '--to', 'zed', 'x'],
        'has no contact called zed',
      ],
      [
        ['send', '--name', 'alice', '--directory', directory, '--to', 'bob'],
        'nothing to send: the message is empty',
        '',
      ],
      [
        ['send', '--name', 'alice', '--directory', directory, '--to', 'bob'],
        'the message is 4,194,305 bytes, more than 64 parts of 65,536 bytes can carry; send it as several shorter messages',
        'x'.repeat(64 * 65_536 + 1),
      ],
      [['listen', '--name', 'bob'], '--port is required'],
      [
        ['probe', '--name', 'a', '--directory', scene.folder().file('e.json', '[]')],
        'lists no contacts',
      ],
    ];
    for (const [args, message, input] of cases) {
      const run = parley(args, { input });
      expect(await run.exited(), args.join(' ')).toBe(2);
      expect(run.stderr()).toContain(message);
    }
  });
});

describe('probe', () => {
  it('one line per contact, in the directory order; exit 0 all online, 1 any offline, 3 a password mismatch', async () => {
    const { port } = await startBob();
    const offline = await closedPort();
    const online = parley(['probe', '--name', 'alice', '--directory', aliceKnowing(port)]);
    expect(await online.exited()).toBe(0);
    expect(online.stdout()).toMatch(/^bob {2}online \(\d+ ms\)\n$/);

    // bob answers last (a whole handshake; the others refuse at once), yet is listed first.
    const mixed = scene.folder().directory('mixed.json', [
      { username: 'bob', port },
      { username: 'dave', port: offline },
      { username: 'erin', port: offline },
    ]);
    const some = parley(['probe', '--name', 'alice', '--directory', mixed, '--json']);
    expect(await some.exited()).toBe(1);
    const reports = jsonLines(some.stdout());
    expect(reports.map((r) => [r.username, r.outcome])).toEqual([
      ['bob', 'online'],
      ['dave', 'offline'],
      ['erin', 'offline'],
    ]);

    const one = parley(['probe', '--name', 'alice', '--directory', mixed, '--to', 'bob']);
    expect(await one.exited()).toBe(0);

    const wrong = parley(['probe', '--name', 'alice', '--directory', aliceKnowing(port, 'nope')]);
    expect(await wrong.exited()).toBe(3);
    expect(wrong.stdout()).toContain(
      `bob  password mismatch: the peer at 127.0.0.1:${port} says the password does not match (auth_failed), which may not be bob`,
    );
  });
});

describe('the DH group', () => {
  it('a peer that refuses the group: exit 1, a sentence naming it, and nothing weaker tried; the entry\'s "group" then works', async () => {
    // bob holds alice to modp14, so he refuses the default group from her.
    const bobFile = scene
      .folder()
      .directory('bob.json', [{ username: 'alice', port: 1, group: 'modp14' }]);
    const { run: bob, port } = await startListener('bob', bobFile, ['--json']);
    const refused = aliceSends(aliceKnowing(port), ['--to', 'bob', 'over CPace?']);
    expect(await refused.exited()).toBe(1);
    expect(refused.stderr()).toContain(
      'bob does not accept the DH group cpace-ristretto255: it may run an older parley, or be an impostor',
    );
    expect(refused.stderr()).toContain('set "group" in bob\'s directory entry');

    const aliceFile = scene
      .folder()
      .directory('alice.json', [{ username: 'bob', port, group: 'modp14' }]);
    const pinned = aliceSends(aliceFile, ['--to', 'bob', 'over modp14']);
    expect(await pinned.exited()).toBe(0);
    await bob.waitFor('stdout', '"text":"over modp14"');
    expect(bob.stdout()).not.toContain('over CPace?');
  });
});

/**
 * The console as a person uses it: real parley processes in a real terminal (tmux), keys
 * typed, the screen read back.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closedPort,
  type Entry,
  HAS_TMUX,
  killChildren,
  LISTENING,
  LOCALHOST,
  type Pane,
  parley,
  portOf,
  SECRET,
  startListener,
  tempFolder,
  tmuxServer,
} from './harness.js';

if (!HAS_TMUX) console.warn('tmux is not installed: the terminal tests are skipped');
const inTerminal = describe.skipIf(!HAS_TMUX);

let tmux: ReturnType<typeof tmuxServer>;
let folder: ReturnType<typeof tempFolder>;

beforeEach(() => {
  tmux = tmuxServer();
  folder = tempFolder();
});
afterEach(() => {
  tmux.close();
  killChildren();
  folder.remove();
});

const chatArgs = (name: string, directory: string) => [
  '--port',
  '0',
  '--bind',
  LOCALHOST,
  '--directory',
  directory,
  '--name',
  name,
];

/** A person running parley in a terminal, ready to type. */
const startChat = async (name: string, contacts: readonly Entry[]) => {
  const file = folder.directory(`${name}.json`, contacts);
  const pane = tmux.open(name, chatArgs(name, file));
  const port = portOf(await pane.waitFor(LISTENING));
  await pane.waitFor(`${name}>`);
  return { pane, port, file };
};

/** bob first (his directory knows alice's password), then alice, who knows bob's port. */
const startPair = async (aliceAlsoKnows: readonly Entry[] = []) => {
  const bob = await startChat('bob', [{ username: 'alice', port: 1 }]);
  const alice = await startChat('alice', [{ username: 'bob', port: bob.port }, ...aliceAlsoKnows]);
  return {
    alice: alice.pane,
    bob: bob.pane,
    alicePort: alice.port,
    bobPort: bob.port,
    aliceFile: alice.file,
  };
};

const lastLine = (pane: Pane): string => pane.screen().trimEnd().split('\n').at(-1) ?? '';

inTerminal('chatting between two terminals', () => {
  it('alice types a message and picks bob; bob sees it with time and sender; alice sees delivered', async () => {
    const { alice, bob } = await startPair();
    alice.line('hello bob');
    await alice.waitFor(/Send to:\n {2}1\) bob {2}127\.0\.0\.1:\d+\n {2}m\) someone else/);
    await alice.waitFor('send to>');
    alice.line('1');
    await bob.waitFor(/\[\d\d:\d\d:\d\d\] alice: hello bob/);
    await alice.waitFor(/✓ delivered to bob in \d+ ms/);

    // @name sends without the menu; a trailing backslash continues the message.
    alice.line('@bob roses are red,\\');
    await alice.waitFor(/^\.\.\. ?$/m);
    alice.line('violets are blue');
    await bob.waitFor(/alice: roses are red,\n {18}violets are blue/);
  });

  it('a message that arrives while alice types appears above her line, which stays as it was', async () => {
    const { alice, bob, alicePort } = await startPair();
    // Longer than the terminal is wide: the line being typed wraps onto a second row.
    const typed = `half typed, ${'and long '.repeat(15)}`.trimEnd();
    alice.type(typed);
    await alice.waitFor(`alice> ${typed}`);
    for (const news of ['news from outside', 'more news']) {
      const args = [
        'send',
        '--name',
        'bob',
        '--host',
        LOCALHOST,
        '--port',
        String(alicePort),
        news,
      ];
      const send = parley(args, { env: { PARLEY_SECRET: SECRET } });
      expect(await send.exited()).toBe(0);
    }
    await alice.waitFor(`bob: news from outside\n`);
    await alice.waitFor(`bob: more news\nalice> ${typed}`);
    expect(lastLine(alice)).toBe(`alice> ${typed}`);
    alice.type(' and finished');
    alice.press('Enter');
    await alice.waitFor('send to>');
    alice.line('bob');
    await bob.waitFor(`alice: ${typed} and finished`);
  });
});

inTerminal('destinations entered by hand, and failures', () => {
  it('manual destination: ip, port and a password that is never shown', async () => {
    const { alice, bob, bobPort } = await startPair();
    alice.line('typed by hand');
    await alice.waitFor('send to>');
    alice.line('m');
    await alice.waitFor(/^ip:/m);
    alice.line(LOCALHOST);
    await alice.waitFor(/^port:/m);
    alice.line(String(bobPort));
    await alice.waitFor('password (not shown):');
    alice.line(SECRET);
    await alice.waitFor(`✓ delivered to 127.0.0.1:${bobPort} (bob) in`);
    await bob.waitFor('alice: typed by hand');
    expect(alice.screen()).not.toContain(SECRET);
  });

  it('a wrong password: the reason on both sides; /outbox and /retry with the right one deliver', async () => {
    const { alice, bob, bobPort } = await startPair();
    alice.line('psst');
    await alice.waitFor('send to>');
    for (const answer of ['m', LOCALHOST, String(bobPort), 'not the password']) alice.line(answer);
    await alice.waitFor(
      `✗ not delivered to 127.0.0.1:${bobPort}: the peer at 127.0.0.1:${bobPort} says the password does not match (auth_failed), which may not be the one you meant`,
    );
    await alice.waitFor('/retry 1 to try again');
    await bob.waitFor(
      '! alice (from 127.0.0.1) tried to reach you, but the password did not match',
    );
    expect(alice.screen()).not.toContain('not the password');

    alice.line('/outbox');
    await alice.waitFor(`1) to 127.0.0.1:${bobPort} "psst" — not delivered`);
    alice.line('/retry 1');
    await alice.waitFor(`Enter: 127.0.0.1:${bobPort} again, as before`);
    for (const answer of ['m', LOCALHOST, String(bobPort), SECRET]) alice.line(answer);
    await alice.waitFor(`✓ delivered to 127.0.0.1:${bobPort} (bob)`);
    await bob.waitFor('alice: psst');
    alice.line('/outbox');
    await alice.waitFor('the outbox is empty');
  });

  it('an offline contact: not reachable, and /who tells online, offline and password mismatch apart', async () => {
    const carolFile = folder.directory('carol.json', [{ username: 'alice', port: 1 }]);
    const { port: carolPort } = await startListener('carol', carolFile);
    const davePort = await closedPort();
    const { alice } = await startPair([
      { username: 'carol', port: carolPort, password: 'not what carol has' },
      { username: 'dave', port: davePort },
    ]);

    alice.line('@dave are you there?');
    await alice.waitFor(
      `✗ not delivered to dave: dave is not reachable at 127.0.0.1:${davePort}: connection refused`,
    );
    await alice.waitFor('is parley running there? — /retry 1 to try again');

    alice.line('/who');
    await alice.waitFor('checking 3 contacts…');
    await alice.waitFor('3 contacts: 1 online, 1 offline, 1 password mismatch');
    const screen = alice.screen();
    expect(screen).toMatch(/\[\d\/3\] bob {4}online \(\d+ ms\)/);
    expect(screen).toMatch(
      /\[\d\/3\] carol {2}password mismatch: the peer at 127\.0\.0\.1:\d+ says the password does not match \(auth_failed\), which may not be carol/,
    );
    expect(screen).toMatch(/\[\d\/3\] dave {3}offline: dave is not reachable/);
  });
});

inTerminal('commands', () => {
  it('/add writes the contact to the directory file (keeping what was there), then a send reaches it', async () => {
    const carolFile = folder.directory('carol.json', [{ username: 'alice', port: 1 }]);
    const { run: carol, port: carolPort } = await startListener('carol', carolFile, ['--json']);
    const { pane: alice, file } = await startChat('alice', [
      { note: 'met at the course', username: 'bob', port: 1 },
    ]);

    alice.line('/add');
    for (const [question, answer] of [
      ['username:', 'carol'],
      ['ip:', LOCALHOST],
      ['port:', String(carolPort)],
      ['password (not shown):', SECRET],
    ] as const) {
      await alice.waitFor(new RegExp(`^${question.replace(/[()]/g, '\\$&')}\\s*$`, 'm'));
      alice.line(answer);
    }
    await alice.waitFor(`carol added to ${file}`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
      { note: 'met at the course', username: 'bob', password: SECRET, port: 1, ip: LOCALHOST },
      { username: 'carol', password: SECRET, port: carolPort, ip: LOCALHOST },
    ]);
    expect(alice.screen()).not.toContain(SECRET);

    alice.line('@carol hello, new contact');
    await alice.waitFor(/✓ delivered to carol in \d+ ms/);
    const line = await carol.waitFor('stdout', /^\{.*\}$/m);
    expect(JSON.parse(line[0])).toMatchObject({
      from: 'alice',
      to: 'carol',
      text: 'hello, new contact',
    });
  });

  it('/quit warns about undelivered messages; Ctrl-C clears a line, and twice quits', async () => {
    const davePort = await closedPort();
    const { pane: alice } = await startChat('alice', [{ username: 'dave', port: davePort }]);
    alice.line('@dave hello?');
    await alice.waitFor('✗ not delivered to dave');
    alice.line('/quit');
    await alice.waitFor('1 message was not delivered (see /outbox); quitting now loses it.');
    await alice.waitFor('quit anyway? [y/N]');
    alice.press('Enter');
    await alice.waitFor('not quitting');
    alice.type('a draft');
    await alice.waitFor('alice> a draft');
    alice.press('C-c');
    await alice.waitFor(/alice> ?\s*$/);
    expect(lastLine(alice)).toBe('alice>');
    alice.press('C-c');
    await alice.waitFor('[exited 0]');
  });

  it('Ctrl-D quits at once when nothing is pending', async () => {
    const { pane: alice } = await startChat('alice', [{ username: 'bob', port: 1 }]);
    alice.line('/help');
    await alice.waitFor('/retry [N]');
    alice.press('C-d');
    await alice.waitFor('[exited 0]');
  });
});

inTerminal('start-up', () => {
  it('asks for the port, the directory file and the username, re-asking a wrong answer', async () => {
    const file = folder.directory('alice.json', [{ username: 'bob', port: 5002 }]);
    const alice = tmux.open('alice', ['--bind', LOCALHOST]);
    await alice.waitFor('Port to listen on:');
    alice.line('fifty');
    await alice.waitFor("port 'fifty' is not a number from 0 to 65535");
    alice.line('0');
    await alice.waitFor('Directory file:');
    alice.line(file);
    await alice.waitFor('Your username:');
    alice.line('alice');
    await alice.waitFor(/you are alice, listening on 127\.0\.0\.1:\d+ \(modp14\); 1 contact in/);
    await alice.waitFor('alice>');
  });

  it('send asks for the password of a destination typed by hand, without echo', async () => {
    const bob = await startChat('bob', [{ username: 'alice', port: 1 }]);
    const args = ['send', '--name', 'alice', '--host', LOCALHOST, '--port', String(bob.port), 'hi'];
    const send = tmux.open('send', args);
    await send.waitFor(`Password for 127.0.0.1:${bob.port}:`);
    send.line(SECRET);
    await send.waitFor(/parley: ✓ delivered to 127\.0\.0\.1:\d+ \(bob\) in \d+ ms\n\[exited 0\]/);
    expect(send.screen()).not.toContain(SECRET);
    await bob.pane.waitFor('alice: hi');
  });

  it('a bad directory file: one clear message and exit status 2', async () => {
    const broken = folder.file('broken.json', '[\n  {"username": "bob", "port": 5002,}\n]\n');
    const alice = tmux.open('alice', chatArgs('alice', broken));
    await alice.waitFor(
      `parley: ${broken}: invalid JSON at line 2, column 36: a field name in double quotes was expected`,
    );
    await alice.waitFor('[exited 2]');
  });
});

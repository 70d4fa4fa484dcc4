/**
 * The console as a person uses it: real parley processes in a real terminal (tmux), keys
 * typed, the screen read back.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chatArgs,
  closedPort,
  type Entry,
  freshTerminalPerTest,
  HAS_TMUX,
  LISTENING,
  LOCALHOST,
  type Pane,
  parley,
  portOf,
  SECRET,
  startListener,
  type tempFolder,
  type tmuxServer,
  until,
} from './harness.js';

if (!HAS_TMUX) console.warn('tmux is not installed: the terminal tests are skipped');
const inTerminal = describe.skipIf(!HAS_TMUX);

let tmux: ReturnType<typeof tmuxServer>;
let folder: ReturnType<typeof tempFolder>;

freshTerminalPerTest((t, f) => {
  tmux = t;
  folder = f;
});

/** A person running parley in a terminal, ready to type. */
const startChat = async (
  name: string,
  contacts: readonly Entry[],
  env: Record<string, string> = {},
) => {
  const file = folder.directory(`${name}.json`, contacts);
  const pane = tmux.open(name, chatArgs(name, file), env);
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

/** Wait until the prompt `prompt` is the last thing on the screen. */
const waitForPrompt = (pane: Pane, prompt: string) =>
  until(
    () => (lastLine(pane) === prompt ? true : undefined),
    pane.screen,
    `the prompt ${prompt} in ${pane.name}`,
  );

/** Wait until `text` is on the screen `n` times (a question asked again, say). */
const waitForCount = (pane: Pane, text: string, n: number) =>
  until(
    () => (pane.screen().split(text).length - 1 >= n ? true : undefined),
    pane.screen,
    `${n} × ${text} in ${pane.name}`,
  );

inTerminal('chatting between two terminals', () => {
  it('alice types a message and picks bob; bob sees it with time and sender; alice sees delivered', async () => {
    const { alice, bob } = await startPair();
    alice.line('hello bob');
    await alice.waitFor(/Send to:\n {2}1\) bob {2}127\.0\.0\.1:\d+\n {2}m\) someone else/);
    await alice.waitFor('send to>');
    alice.line('1');
    await bob.waitFor(/\[\d\d:\d\d:\d\d\] alice: hello bob/);
    await alice.waitFor(/✓ delivered to bob in \d+ ms/);
    // Shown once: by the node before its ack (the line written), not again by its event.
    expect(bob.screen().split('alice: hello bob').length - 1).toBe(1);

    // @name sends without the menu; a trailing backslash continues the message.
    alice.line('@bob roses are red,\\');
    await alice.waitFor(/^\.\.\. ?$/m);
    alice.line('violets are blue');
    await bob.waitFor(/alice: roses are red,\n {18}violets are blue/);
  });

  it('a paste never answers the menu; five pasted @bob lines arrive in the order written (issue 22.1, 22.2)', async () => {
    const { alice, bob } = await startPair();
    alice.paste('todo list\n1\nprivate notes\n');
    await alice.waitFor('not taken as the answer: "private notes" came in one paste');
    expect(alice.screen()).toContain('not taken as the answer: "1" came in one paste');
    await waitForPrompt(alice, 'send to>');
    expect(bob.screen()).not.toContain('todo list');
    alice.line('1');
    await bob.waitFor('alice: todo list');
    await alice.waitFor(/✓ delivered to bob/);
    // Up brings back the message, never a menu answer (the "1"s, the pasted "private notes").
    await waitForPrompt(alice, 'alice>');
    alice.press('Up');
    await waitForPrompt(alice, 'alice> todo list');
    alice.press('C-u');
    await waitForPrompt(alice, 'alice>');

    alice.paste(['one', 'two', 'three', 'four', 'five'].map((w) => `@bob ${w}\n`).join(''));
    await bob.waitFor('alice: five');
    const order = [...bob.screen().matchAll(/alice: (one|two|three|four|five)$/gm)].map(
      (m) => m[1],
    );
    expect(order).toEqual(['one', 'two', 'three', 'four', 'five']);
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
    // Not paused: the peer's error frame is anyone's word; it waits for its next try.
    await alice.waitFor(/waits in the outbox \(1\); next try in \d+ s, or \/retry 1 now/);
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

  it('after wrong passwords, the sender hears how long it is refused and the receiver says whom it refuses', async () => {
    const bob = await startChat('bob', [{ username: 'alice', port: 1 }]);
    const args = ['send', '--name', 'alice', '--host', LOCALHOST, '--port', String(bob.port), 'x'];
    const env = { env: { PARLEY_SECRET: 'a wrong guess' } };
    // The node's default: 5 failures within a minute block the address for 30 s.
    for (let i = 0; i < 5; i++) {
      const guess = parley(args, env);
      expect(await guess.exited()).toBe(1);
      expect(guess.stderr()).toContain('says the password does not match');
    }
    const refused = parley(args, env);
    expect(await refused.exited()).toBe(1);
    expect(refused.stderr()).toContain(
      `the peer at 127.0.0.1:${bob.port} says it is refusing us after failed attempts (a parley peer refuses for 30 s by default), which may not be the one you meant; wait that long before trying again`,
    );
    await bob.pane.waitFor(
      '! refusing 127.0.0.1 for 30 s: 5 wrong passwords from there within 60 s (a contact with an old password, or someone guessing)',
    );
    // Six processes one after another: more than the default 20 s on a loaded machine.
  }, 60_000);

  it('an offline contact: not reachable, and /who tells online, offline and password mismatch apart, in order', async () => {
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
    await alice.waitFor(
      /is parley running there\? — waits in the outbox \(1\); next try in \d+ s, or \/retry 1 now/,
    );

    alice.line('/who');
    await alice.waitFor('checking 3 contacts…');
    await alice.waitFor('3 contacts: 1 online, 1 offline, 1 password mismatch');
    // In the directory's order, although dave's refusal comes back first.
    expect(alice.screen()).toMatch(
      new RegExp(
        [
          '\\[1/3\\] bob {4}online \\(\\d+ ms\\)',
          '\\[2/3\\] carol {2}password mismatch: the peer at 127\\.0\\.0\\.1:\\d+ says the password does not match \\(auth_failed\\), which may not be carol.*',
          '\\[3/3\\] dave {3}offline: dave is not reachable.*',
        ].join('\n {2}'),
      ),
    );
  });
});

inTerminal('commands', () => {
  it('/add writes the contact to the directory file (keeping what was there), warns of a password another contact has, then a send reaches it', async () => {
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
    // bob has the same password: said at once, as at start, never the password itself.
    await alice.waitFor(
      `warning: bob and carol share one password in ${file}: each of them could pretend to be the other to you`,
    );
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

  it('/edit corrects a wrong password in the directory file; what waited goes out by itself with it', async () => {
    const bob = await startChat('bob', [{ username: 'alice', port: 1 }]);
    const { pane: alice, file } = await startChat('alice', [
      { note: 'met at the course', username: 'bob', port: bob.port, password: 'an old password' },
    ]);
    alice.line('@bob psst');
    await alice.waitFor(
      `✗ not delivered to bob: the peer at 127.0.0.1:${bob.port} says the password does not match (auth_failed), which may not be bob: check with bob another way rather than trying other passwords — waits in the outbox (1); next try in`,
    );

    alice.line('/edit bob');
    await alice.waitFor('Editing bob: Enter keeps a value as it is; Ctrl-C cancels.');
    await alice.waitFor(/^ip \[127\.0\.0\.1\]:\s*$/m);
    alice.press('Enter');
    await alice.waitFor(new RegExp(`^port \\[${bob.port}\\]:\\s*$`, 'm'));
    alice.press('Enter');
    await alice.waitFor('password (not shown; Enter keeps it):');
    alice.line(SECRET);
    await alice.waitFor(
      `bob updated in ${file} (password); 1 waiting message goes out again now with the new details`,
    );
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
      {
        note: 'met at the course',
        username: 'bob',
        password: SECRET,
        port: bob.port,
        ip: LOCALHOST,
      },
    ]);
    expect(alice.screen()).not.toContain(SECRET);

    await alice.waitFor(/✓ delivered to bob in \d+ ms: "psst" \(it went out by itself\)/);
    await bob.pane.waitFor('alice: psst');
    alice.line('/outbox');
    await alice.waitFor('the outbox is empty');
  });

  it('/remove drops a waiting message: /outbox no longer lists it (issue 22.7)', async () => {
    const away = await closedPort();
    const { pane: alice } = await startChat('alice', [{ username: 'bob', port: away }]);
    alice.line('@bob never mind');
    await alice.waitFor(/✗ not delivered to bob/);
    alice.line('/remove 1');
    await alice.waitFor('removed "never mind" from the outbox: it will not be sent');
    alice.line('/outbox');
    await alice.waitFor('the outbox is empty');
  });

  it('with the outbox in memory, /quit warns about undelivered messages; Ctrl-C and Ctrl-D ask the same question, never skip it', async () => {
    const davePort = await closedPort();
    // No usable state directory: the outbox cannot be kept on disk.
    const { pane: alice } = await startChat('alice', [{ username: 'dave', port: davePort }], {
      PARLEY_STATE_DIR: '/dev/null/parley',
    });
    await alice.waitFor(
      'parley: cannot keep the outbox in /dev/null/parley/outbox-alice (ENOTDIR: not a directory',
    );
    alice.line('@dave hello?');
    await alice.waitFor('✗ not delivered to dave');
    const warning = '1 message was not delivered (see /outbox); quitting now loses it.';
    alice.line('/quit');
    await alice.waitFor(warning);
    await alice.waitFor('quit anyway? [y/N]');
    alice.press('Enter');
    await alice.waitFor('not quitting');

    // Typed text, Ctrl-C clears it, Ctrl-C again: the question, not the end.
    alice.type('a draft');
    await alice.waitFor('alice> a draft');
    alice.press('C-c');
    await waitForPrompt(alice, 'alice>');
    alice.press('C-c');
    await waitForCount(alice, warning, 2);
    await waitForPrompt(alice, 'quit anyway? [y/N]');
    // Ctrl-C or Ctrl-D in the question cancels it; a second press right after does not quit.
    alice.press('C-c');
    await waitForCount(alice, 'not quitting', 2);
    alice.press('C-d');
    await alice.waitFor('(the question was cancelled; press again, or /quit, to leave)');
    // Ctrl-D on the empty prompt asks as /quit does.
    alice.press('C-d');
    await waitForCount(alice, warning, 3);
    await waitForPrompt(alice, 'quit anyway? [y/N]');
    alice.press('C-d');
    await waitForCount(alice, 'not quitting', 3);
    expect(alice.screen()).not.toContain('[exited');
    alice.line('/quit');
    await waitForPrompt(alice, 'quit anyway? [y/N]');
    alice.line('y');
    await alice.waitFor(/^\[exited 0\]$/m);
  });

  it('Ctrl-D quits at once when nothing is pending; the shell prompt starts on a fresh line', async () => {
    const { pane: alice } = await startChat('alice', [{ username: 'bob', port: 1 }]);
    alice.line('/help');
    await alice.waitFor('/retry [N]');
    alice.press('C-d');
    await alice.waitFor(/^alice> ?\n\[exited 0\]$/m);
  });

  it('Ctrl-C in a question cancels it and says so, even at the hidden prompt; twice never quits', async () => {
    const { pane: alice } = await startChat('alice', [{ username: 'bob', port: 1 }]);
    alice.line('/add');
    for (const [question, answer] of [
      ['username:', 'dave'],
      ['ip:', LOCALHOST],
      ['port:', '5004'],
    ] as const) {
      await alice.waitFor(new RegExp(`^${question}\\s*$`, 'm'));
      alice.line(answer);
    }
    await alice.waitFor('password (not shown):');
    alice.type('half a secret');
    alice.press('C-c');
    await alice.waitFor('cancelled: no contact added');
    alice.press('C-c');
    await alice.waitFor('(the question was cancelled; press again, or /quit, to leave)');

    alice.line('hello');
    await alice.waitFor('send to>');
    alice.press('C-c');
    await alice.waitFor('cancelled: the message was not sent');
    alice.press('C-d');
    await waitForCount(alice, '(the question was cancelled; press again, or /quit, to leave)', 2);

    // Still running, and what is typed is shown again.
    alice.line('/contacts');
    await alice.waitFor(/alice> \/contacts\n {2}1\) bob/);
    expect(alice.screen()).not.toContain('[exited');
    expect(alice.screen()).not.toContain('half a secret');
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
    await alice.waitFor(
      /you are alice, listening on 127\.0\.0\.1:\d+ \(cpace-ristretto255\); 1 contact in/,
    );
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

  it('a newcomer without a directory file is offered one, private, and can start (issue 22.3)', async () => {
    const fresh = `${folder.path}/new-alice.json`;
    const alice = tmux.open('alice', chatArgs('alice', fresh));
    await alice.waitFor(
      `There is no directory file ${fresh}. Create it now, with no contacts yet and readable only by you? [Y/n]`,
    );
    alice.press('Enter');
    await alice.waitFor(`created ${fresh} (permissions 0600) with no contacts; add them with /add`);
    await alice.waitFor(/you are alice, listening on 127\.0\.0\.1:\d+/);
    await alice.waitFor('alice>');
    expect(readFileSync(fresh, 'utf8')).toBe('[]\n');
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
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

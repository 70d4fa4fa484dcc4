/**
 * Invite codes as two people use them (issue 19, "How we will check it"): alice types /invite
 * in her chat, bob runs the `parley join` line it printed; both then talk with no file edited
 * by hand, each directory file holding one entry with a 32-byte secret; bob restarts on
 * another port and alice's next message follows him. A wrong code three times burns the
 * invite on both screens; an expired code is refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chatArgs,
  freshTerminalPerTest,
  HAS_TMUX,
  LISTENING,
  LOCALHOST,
  parley,
  portOf,
  startListener,
  type tempFolder,
  type tmuxServer,
  until,
} from './harness.js';

const inTerminal = describe.skipIf(!HAS_TMUX);

let tmux: ReturnType<typeof tmuxServer>;
let folder: ReturnType<typeof tempFolder>;

freshTerminalPerTest((t, f) => {
  tmux = t;
  folder = f;
});

/** The `join ADDRESS CODE` alice's screen tells bob to run, for 127.0.0.1. */
const JOIN_LINE = /ask them to run: \S.* join (127\.0\.0\.1:\d+) (\d+-[a-z]+-[a-z]+)/;

const aliceInvites = async () => {
  const file = folder.directory('alice.json', []);
  const alice = tmux.open('alice', chatArgs('alice', file));
  await alice.waitFor(LISTENING);
  await alice.waitFor('alice>');
  alice.line('/invite');
  const [, address, code] = await alice.waitFor(JOIN_LINE);
  await alice.waitFor(/expires in 10 minutes/);
  return { alice, file, address: address!, code: code! };
};

const joinArgs = (address: string, code: string, file: string, name = 'bob') => [
  'join',
  address,
  code,
  '--name',
  name,
  '--directory',
  file,
  '--port',
  '0',
  '--bind',
  LOCALHOST,
];

const entriesOf = (file: string) =>
  existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[]) : [];

inTerminal('invite codes', () => {
  it('alice invites, bob joins from the printed line, they talk both ways, and alice follows his move', async () => {
    const { alice, file: aliceFile, address, code } = await aliceInvites();
    const bobFile = `${folder.path}/bob.json`;
    // bob types the line as printed (only where to listen added: a free port of 127.0.0.1);
    // parley asks the rest.
    const join = tmux.open('join', ['join', address, code, '--port', '0', '--bind', LOCALHOST]);
    await join.waitFor('Your username:');
    join.line('bob');
    await join.waitFor('Directory file (created if missing):');
    join.line(bobFile);
    await join.waitFor(/✓ alice is now in your contacts \(127\.0\.0\.1:\d+\)/);
    await join.waitFor('[exited 0]');
    await alice.waitFor(/✓ bob is now in your contacts \(127\.0\.0\.1:\d+\)/);
    const [aliceEntry] = entriesOf(aliceFile);
    const [bobEntry] = entriesOf(bobFile);
    expect(entriesOf(aliceFile)).toHaveLength(1);
    expect(entriesOf(bobFile)).toHaveLength(1);
    // One secret, 32 random bytes as 64 hex digits, on both sides; never on a screen.
    expect(aliceEntry!.password).toMatch(/^[0-9a-f]{64}$/);
    expect(bobEntry!.password).toBe(aliceEntry!.password);
    expect(alice.screen()).not.toContain(aliceEntry!.password as string);
    expect(join.screen()).not.toContain(aliceEntry!.password as string);

    // bob's chat listens elsewhere than his join did: it tells alice at start, she follows.
    const bob = tmux.open('bob', chatArgs('bob', bobFile));
    const bobPort = portOf(await bob.waitFor(LISTENING));
    await bob.waitFor('bob>');
    bob.line('@alice hello alice');
    await alice.waitFor(/bob: hello alice/);
    await bob.waitFor(/✓ delivered to alice/);
    alice.line('@bob hello bob');
    await bob.waitFor(/alice: hello bob/);
    expect(entriesOf(aliceFile)[0]!.port).toBe(bobPort);

    // bob restarts on another port: his first message moves alice's entry, hers follows.
    bob.line('/quit');
    await bob.waitFor(/\[exited 0\]/);
    const moved = tmux.open('bob2', chatArgs('bob', bobFile));
    const newPort = portOf(await moved.waitFor(LISTENING));
    expect(newPort).not.toBe(bobPort);
    await moved.waitFor('bob>');
    await alice.waitFor(`bob is now at ${LOCALHOST}:${newPort}`);
    alice.line('@bob are you there?');
    await moved.waitFor(/alice: are you there\?/);
    expect(entriesOf(aliceFile)[0]!.port).toBe(newPort);
  });

  it("/join in bob's chat: both filed, they talk at once; /invite cancel ends the next code", async () => {
    const { alice, address, code } = await aliceInvites();
    const bobFile = folder.directory('bob.json', []);
    const bob = tmux.open('bob', chatArgs('bob', bobFile));
    await bob.waitFor(LISTENING);
    await bob.waitFor('bob>');
    bob.line(`/join ${address} ${code}`);
    await bob.waitFor(/✓ alice is now in your contacts \(127\.0\.0\.1:\d+\)/);
    await alice.waitFor(/✓ bob is now in your contacts/);
    bob.line('@alice joined from my chat');
    await alice.waitFor(/bob: joined from my chat/);
    alice.line('@bob welcome');
    await bob.waitFor(/alice: welcome/);

    alice.line('/invite');
    const second = await until(
      () => [...alice.screen().matchAll(/the code (\S+) works once/g)][1]?.[1],
      () => alice.screen(),
      "a second code on alice's screen",
    );
    alice.line('/invite cancel');
    await alice.waitFor('the invite was cancelled: the code no longer works');
    const late = parley(joinArgs(address, second, `${folder.path}/carol.json`, 'carol'));
    await late.waitFor('stderr', /nobody is inviting at 127\.0\.0\.1:\d+/);
    expect(await late.exited()).toBe(1);
  });

  it('a wrong code three times burns the invite on both screens; the files stay as they were', async () => {
    const { alice, file: aliceFile, address } = await aliceInvites();
    const bobFile = `${folder.path}/bob.json`;
    for (const left of [2, 1]) {
      const join = parley(joinArgs(address, '1-abandon-ability', bobFile));
      await join.waitFor(
        'stderr',
        `that code is not right: check it with the person who invited you and try again (${left} attempt${left === 1 ? '' : 's'} left)`,
      );
      expect(await join.exited()).toBe(3);
      await alice.waitFor(`(${left} attempt${left === 1 ? '' : 's'} left)`);
    }
    const last = parley(joinArgs(address, '1-abandon-ability', bobFile));
    await last.waitFor('stderr', /no longer works: ask for a new code/);
    expect(await last.exited()).toBe(1);
    await alice.waitFor('the code was tried 3 times wrongly and no longer works');
    expect(entriesOf(bobFile)).toEqual([]);
    expect(entriesOf(aliceFile)).toEqual([]);
  });

  it('a join while a listen of the same name runs is refused, saying where to type it', async () => {
    const bobFile = folder.directory('bob.json', []);
    const listening = await startListener('bob', bobFile);
    const join = parley(joinArgs('127.0.0.1:9', '7-crater-lamp', bobFile));
    await join.waitFor(
      'stderr',
      /a chat or listen of bob is running \(pid \d+\): type \/join 127\.0\.0\.1:9 7-crater-lamp in that chat, or stop that listen first/,
    );
    expect(await join.exited()).toBe(1);
    expect(entriesOf(bobFile)).toEqual([]);
    listening.run.child.kill('SIGTERM');
    await listening.run.exited();
  });

  it('an expired code is refused: parley invite --expires says so, and the join is told why', async () => {
    const aliceFile = folder.directory('alice.json', []);
    const invite = parley([
      'invite',
      '--name',
      'alice',
      '--directory',
      aliceFile,
      '--port',
      '0',
      '--bind',
      LOCALHOST,
      '--expires',
      '2s',
    ]);
    const [, address, code] = await invite.waitFor('stderr', JOIN_LINE);
    await invite.waitFor('stderr', /expires in 2 seconds/);
    await invite.waitFor('stderr', /the code expired before anyone joined/);
    expect(await invite.exited()).toBe(1);
    // Nobody listens there any more: the join says it could not reach the invite.
    const join = parley(joinArgs(address!, code!, `${folder.path}/bob.json`));
    await join.waitFor('stderr', /could not reach|nobody is inviting/);
    expect(await join.exited()).toBe(1);
    expect(entriesOf(aliceFile)).toEqual([]);
  });
});

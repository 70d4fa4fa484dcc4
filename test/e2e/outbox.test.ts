/**
 * The outbox end to end (issue 10's "done when"): a message to someone who is away is kept on
 * disk, survives quitting and `kill -9`, and goes out by itself exactly once when both are
 * back; scripts queue with `send --queue`, `listen` delivers, `parley outbox` lists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockHolder } from '../../src/store/lock-file.js';
import {
  closedPort,
  type Entry,
  freshTerminalPerTest,
  HAS_TMUX,
  LISTENING,
  LOCALHOST,
  type Pane,
  parley,
  SECRET,
  startListener,
  stateDir,
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

/** parley's chat in a terminal, as `name`, listening on `port` (0: any). */
const chat = async (
  name: string,
  contacts: readonly Entry[],
  port = 0,
  env: Record<string, string> = {},
): Promise<Pane> => {
  const file = folder.directory(`${name}.json`, contacts);
  const args = ['--port', String(port), '--bind', LOCALHOST, '--directory', file, '--name', name];
  const pane = tmux.open(name, args, env);
  await pane.waitFor(LISTENING);
  await pane.waitFor(`${name}>`);
  return pane;
};

const count = (text: string, what: string): number => text.split(what).length - 1;
const outboxFile = (name: string) => join(stateDir(), `outbox-${name}`);

/** A peer that takes connections and never answers: a send to it hangs until its deadline. */
const silentPeer = async () => {
  const sockets = new Set<Socket>();
  const server = createServer((s) => void sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, LOCALHOST, resolve));
  const { port } = server.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return { port, close };
};

inTerminal('the chat keeps its outbox on disk', () => {
  it('written to bob while he is down, kept across quitting, shown to bob exactly once when both are back, without /retry', async () => {
    const bobPort = await closedPort();
    const alice = await chat('alice', [{ username: 'bob', port: bobPort }]);
    alice.line('@bob see you when you are back');
    await alice.waitFor(
      /✗ not delivered to bob: .* — waits in the outbox \(1\); next try in \d+ s, or \/retry 1 now/,
    );
    alice.line('/outbox');
    await alice.waitFor(
      /1\) to bob "see you when you are back" — not delivered \(1 attempt\): .*; next try in \d+ s, or \/retry 1 now/,
    );
    // The outbox is on disk: quitting asks nothing and loses nothing.
    alice.line('/quit');
    // Said once: the end of the input that quitting brings about is not a second quit.
    await alice.waitFor(
      /alice> \/quit\n1 message will be sent when you are back\nalice> ?\n\[exited 0\]/,
    );
    const file = outboxFile('alice');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('see you when you are back');
    expect(readFileSync(file, 'utf8')).not.toContain(SECRET);

    const listed = parley(['outbox', '--name', 'alice']);
    expect(await listed.exited()).toBe(0);
    expect(listed.stdout()).toContain(
      '1) to bob "see you when you are back" — 1 attempt; goes out as soon as a chat or listen as alice starts',
    );

    // Her schedule shortened (0.5 s instead of 10 s, the CLI's way for tests), so that no
    // test waits for real retry time.
    const again = await chat('alice', [{ username: 'bob', port: bobPort }], 0, {
      PARLEY_RETRY_BASE_MS: '500',
    });
    await again.waitFor('the outbox kept 1 message from last time: it goes out now, by itself');
    const bob = await chat('bob', [{ username: 'alice', port: 1 }], bobPort);
    // On alice's own schedule (she tried once more at start, bob away): nobody types anything.
    await bob.waitFor('alice: see you when you are back');
    await again.waitFor(
      /✓ delivered to bob in \d+ ms: "see you when you are back" \(it went out by itself\)/,
    );
    again.line('/outbox');
    await again.waitFor('the outbox is empty');
    // Gone from the file too: a third run sends nothing more.
    again.line('/quit');
    await again.waitFor(/alice> \/quit\n\[exited 0\]/);
    const third = await chat('alice', [{ username: 'bob', port: bobPort }]);
    third.line('/outbox');
    await third.waitFor('the outbox is empty');
    expect(third.screen()).not.toContain('the outbox kept');
    expect(count(bob.screen(), 'alice: see you when you are back')).toBe(1);
  }, 60_000);

  it('kill -9 right after sending: the message was on disk before its first try, and the next run delivers it once', async () => {
    const silent = await silentPeer();
    const alice = await chat('alice', [{ username: 'bob', port: silent.port }]);
    alice.line('@bob written before the first try');
    await alice.waitFor('sending to bob…');
    const file = outboxFile('alice');
    await until(
      () =>
        readFileSync(file, 'utf8').includes('written before the first try') ? true : undefined,
      () => readFileSync(file, 'utf8'),
      'the message in the outbox file',
    );
    // The lock holds alice's pid: kill her, no chance to clean up.
    const pid = lockHolder(join(stateDir(), 'lock-outbox-alice'));
    if (pid === undefined) throw new Error('alice holds no lock');
    process.kill(pid, 'SIGKILL');
    await alice.waitFor(/\[exited 137\]/);
    await silent.close();

    const bob = await chat('bob', [{ username: 'alice', port: 1 }], silent.port);
    const again = await chat('alice', [{ username: 'bob', port: silent.port }]);
    await again.waitFor(
      /✓ delivered to bob in \d+ ms: "written before the first try" \(it went out by itself\)/,
    );
    await bob.waitFor('alice: written before the first try');
    again.line('/outbox');
    await again.waitFor('the outbox is empty');
    expect(count(bob.screen(), 'alice: written before the first try')).toBe(1);
  }, 60_000);
});

describe('scripts: send --queue, listen, parley outbox', () => {
  const aliceArgs = (directory: string) => ['--name', 'alice', '--directory', directory];
  /** bob listening (--json), sharing `password` with alice. */
  const startBobWith = async (password: string) => {
    const file = folder.directory('bob.json', [{ username: 'alice', port: 1, password }]);
    return startListener('bob', file, ['--json']);
  };

  it('a PARLEY_RETRY_BASE_MS that is not 100–10000 stops listen at start, saying what it must be', async () => {
    const file = folder.directory('alice.json', [{ username: 'bob', port: 1 }]);
    const args = ['listen', '--port', '0', '--bind', LOCALHOST, ...aliceArgs(file)];
    const run = parley(args, { env: { PARLEY_RETRY_BASE_MS: '5' } });
    expect(await run.exited()).toBe(2);
    expect(run.stderr()).toBe(
      'parley: PARLEY_RETRY_BASE_MS is "5": set it to a whole number of milliseconds from 100 ' +
        'to 10000 (the first wait before a message goes out again), or unset it\n',
    );
  });

  it('send --queue keeps what it could not deliver (exit 4); listen as alice delivers it once', async () => {
    const bobPort = await closedPort();
    const aliceFile = folder.directory('alice.json', [{ username: 'bob', port: bobPort }]);
    const send = parley([
      'send',
      ...aliceArgs(aliceFile),
      '--to',
      'bob',
      '--queue',
      'queued for bob',
    ]);
    expect(await send.exited()).toBe(4);
    expect(send.stderr()).toMatch(
      /✗ not delivered to bob: .* — queued in .*outbox-alice: the next chat or listen as alice sends it by itself/,
    );
    const plain = parley(['send', ...aliceArgs(aliceFile), '--to', 'bob', 'not queued']);
    expect(await plain.exited()).toBe(1);

    const listed = parley(['outbox', '--json']);
    expect(await listed.exited()).toBe(0);
    expect(JSON.parse(listed.stdout())).toMatchObject({
      name: 'alice',
      to: { username: 'bob', port: bobPort },
      text: 'queued for bob',
      attempts: 1,
      paused: false,
      next_try: 'on_start',
    });

    const bobFile = folder.directory('bob.json', [{ username: 'alice', port: 1 }]);
    const bob = parley([
      'listen',
      '--port',
      String(bobPort),
      '--bind',
      LOCALHOST,
      ...['--name', 'bob', '--directory', bobFile],
      '--json',
    ]);
    await bob.waitFor('stderr', LISTENING);
    const { run: alice } = await startListener('alice', aliceFile);
    await alice.waitFor('stderr', 'the outbox kept 1 message from last time: it goes out now');
    await alice.waitFor(
      'stderr',
      /✓ delivered to bob in \d+ ms: "queued for bob" \(it went out by itself\)/,
    );
    await bob.waitFor('stdout', 'queued for bob');

    const after = parley(['outbox', '--name', 'alice']);
    expect(await after.exited()).toBe(0);
    expect(after.stdout()).toMatch(/^outbox of alice: empty; parley \(pid \d+\) runs as alice\n$/);
    expect(
      bob
        .stdout()
        .split('\n')
        .filter((l) => l.includes('queued for bob')),
    ).toHaveLength(1);
  }, 30_000);

  it('send --queue while listen runs as alice: handed to it, which sends it by itself once bob is back', async () => {
    const bobPort = await closedPort();
    const aliceFile = folder.directory('alice.json', [{ username: 'bob', port: bobPort }]);
    const { run: alice, port: alicePort } = await startListener('alice', aliceFile);

    const send = parley(['send', ...aliceArgs(aliceFile), '--to', 'bob', '--queue', 'handed over']);
    expect(await send.exited()).toBe(4);
    expect(send.stderr()).toMatch(
      /✗ not delivered to bob: .* — handed to the parley running as alice \(pid \d+\): it sends it by itself/,
    );
    // alice takes it into her outbox (and tries it: bob is still away).
    await alice.waitFor('stderr', /✗ not delivered to bob: .* — waits in the outbox; next try in/);

    const bobFile = folder.directory('bob.json', [{ username: 'alice', port: alicePort }]);
    const bob = parley([
      'listen',
      ...['--port', String(bobPort), '--bind', LOCALHOST, '--name', 'bob'],
      ...['--directory', bobFile, '--json'],
    ]);
    await bob.waitFor('stderr', LISTENING);
    // bob reaches alice: she knows he is back, and sends what waits for him at once.
    const hello = parley([
      'send',
      '--name',
      'bob',
      '--directory',
      bobFile,
      '--to',
      'alice',
      'back',
    ]);
    expect(await hello.exited()).toBe(0);
    await alice.waitFor(
      'stderr',
      /✓ delivered to bob in \d+ ms: "handed over" \(it went out by itself\)/,
    );
    await bob.waitFor('stdout', 'handed over');
    expect(readdirSync(join(stateDir(), 'inbox-alice'))).toEqual([]);
  }, 30_000);

  it('a message whose password bob refused waits on schedule, not paused (his error frame proves nothing), and goes once the directory file has the right password', async () => {
    const bob = await startBobWith('the right one');
    const aliceFile = folder.directory('alice.json', [
      { username: 'bob', port: bob.port, password: 'a wrong one' },
    ]);
    const send = parley(['send', ...aliceArgs(aliceFile), '--to', 'bob', '--queue', 'for bob']);
    expect(await send.exited()).toBe(4);
    const waiting = parley(['outbox', '--name', 'alice', '--json']);
    expect(await waiting.exited()).toBe(0);
    expect(JSON.parse(waiting.stdout())).toMatchObject({ paused: false, next_try: 'on_start' });

    // Unchanged, a restart tries it once more, and it waits for its next time.
    const unchanged = await startListener('alice', aliceFile);
    await unchanged.run.waitFor(
      'stderr',
      'the outbox kept 1 message from last time: it goes out now',
    );
    await unchanged.run.waitFor(
      'stderr',
      /✗ not delivered to bob: .*auth_failed.* — waits in the outbox; next try in/,
    );
    unchanged.run.child.kill();
    await unchanged.run.exited();
    expect(bob.run.stdout()).not.toContain('for bob');

    // Corrected in the file while alice's parley is not running: it goes at the next start.
    await new Promise((resolve) => setTimeout(resolve, 20));
    folder.directory('alice.json', [
      { username: 'bob', port: bob.port, password: 'the right one' },
    ]);
    const { run: alice } = await startListener('alice', aliceFile);
    await alice.waitFor(
      'stderr',
      /✓ delivered to bob in \d+ ms: "for bob" \(it went out by itself\)/,
    );
    await bob.run.waitFor('stdout', 'for bob');
  }, 30_000);
});

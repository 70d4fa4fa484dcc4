/**
 * The conversation stays (issue 18), as a person sees it: real parley processes in tmux. Both
 * quit and reopen: each sees the last lines. A `listen` of bob's name receives while his chat
 * is closed: his next chat says `2 new messages from alice`. /history and `parley history`.
 */
import { describe, expect, it } from 'vitest';
import {
  chatArgs,
  type Entry,
  freshTerminalPerTest,
  HAS_TMUX,
  LISTENING,
  type Pane,
  parley,
  portOf,
  startListener,
  type tempFolder,
  type tmuxServer,
} from './harness.js';

const inTerminal = describe.skipIf(!HAS_TMUX);

let tmux: ReturnType<typeof tmuxServer>;
let folder: ReturnType<typeof tempFolder>;
freshTerminalPerTest((t, f) => {
  tmux = t;
  folder = f;
});

const startChat = async (name: string, contacts: readonly Entry[]) => {
  const file = folder.directory(`${name}.json`, contacts);
  const pane = tmux.open(name, chatArgs(name, file));
  const port = portOf(await pane.waitFor(LISTENING));
  await pane.waitFor(`${name}>`);
  return { pane, port, file };
};

const quit = async (pane: Pane) => {
  pane.line('/quit');
  await pane.waitFor('[exited 0]');
};

const TIME = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]`;

inTerminal('the history in the chat', () => {
  it('both quit and reopen: each sees the last lines; /history shows the conversation', {
    timeout: 60_000,
  }, async () => {
    const bob = await startChat('bob', [{ username: 'alice', port: 1 }]);
    const alice = await startChat('alice', [{ username: 'bob', port: bob.port }]);
    alice.pane.line('@bob hello bob');
    await alice.pane.waitFor(/✓ delivered to bob/);
    bob.pane.line('@alice hello alice');
    // bob's directory has no port for alice, but alice's auth told hers: bob followed her.
    await bob.pane.waitFor(/alice is now at/);
    await alice.pane.waitFor(/bob: hello alice/);
    await quit(alice.pane);
    await quit(bob.pane);

    const bobAgain = await startChat('bob', [{ username: 'alice', port: 1 }]);
    await bobAgain.pane.waitFor(
      new RegExp(`Earlier \\(/history NAME shows more\\):\\n {2}${TIME} alice: hello bob`),
    );
    const aliceAgain = await startChat('alice', [{ username: 'bob', port: bobAgain.port }]);
    await aliceAgain.pane.waitFor(new RegExp(`${TIME} you → bob: hello bob ✓`));
    // Nothing arrived while they were away: nothing said as new.
    expect(bobAgain.pane.screen()).not.toContain('new message');

    aliceAgain.pane.line('/history bob');
    await aliceAgain.pane.waitFor(
      new RegExp(`alice> /history bob\\n${TIME} you → bob: hello bob ✓`),
    );
    aliceAgain.pane.line('/find HELLO');
    await aliceAgain.pane.waitFor(/2 messages hold HELLO:/);
  });

  it('a listen of bob receives while his chat is closed: his next chat says 2 new messages', {
    timeout: 60_000,
  }, async () => {
    const bob = await startChat('bob', [{ username: 'alice', port: 1 }]);
    await quit(bob.pane);
    const bobFile = folder.directory('bob-listen.json', [{ username: 'alice', port: 1 }]);
    const { run: listen, port } = await startListener('bob', bobFile, ['--json']);
    const aliceFile = folder.directory('alice.json', [{ username: 'bob', port }]);
    for (const text of ['first while away', 'second while away']) {
      const send = parley([
        'send',
        '--name',
        'alice',
        '--directory',
        aliceFile,
        '--to',
        'bob',
        text,
      ]);
      expect(await send.exited()).toBe(0);
    }
    listen.child.kill('SIGTERM');
    await listen.exited();

    const again = await startChat('bob', [{ username: 'alice', port: 1 }]);
    await again.pane.waitFor(
      new RegExp(
        `2 new messages from alice:\\n {2}${TIME} alice: first while away\\n {2}${TIME} alice: second while away`,
      ),
    );
    await quit(again.pane);
    // Said once: the chat marked them seen.
    const third = await startChat('bob', [{ username: 'alice', port: 1 }]);
    await third.pane.waitFor('bob>');
    expect(third.pane.screen()).not.toContain('new messages');
    expect(third.pane.screen()).toMatch(/Earlier[^\n]*\n[^\n]*first while away/);

    const json = parley(['history', '--name', 'bob', '--with', 'alice', '--json']);
    expect(await json.exited()).toBe(0);
    const lines = json
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.direction, l.contact, l.text])).toEqual([
      ['in', 'alice', 'first while away'],
      ['in', 'alice', 'second while away'],
    ]);
    expect(Object.keys(lines[0]).sort()).toEqual(
      ['at', 'contact', 'direction', 'msg_id', 'text', 'timestamp'].sort(),
    );
  });
});

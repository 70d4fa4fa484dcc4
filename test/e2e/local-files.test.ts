/**
 * The files on the listener's own computer (security review, issue 13 items 5, 6, 7, 9): a
 * seen file that cannot be written, a state directory others may write, a directory file
 * others may write, two contacts sharing one password. Real processes.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HAS_TMUX,
  LISTENING,
  LOCALHOST,
  listenArgs,
  parley,
  SECRET,
  startListener,
  tmuxServer,
  useScene,
} from './harness.js';

const scene = useScene();

let state: string;
beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'parley-e2e-own-state-'));
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

describe('the seen file', () => {
  it('cannot be written: listen says so without --verbose, the sender is not told delivered', async () => {
    const directory = scene.folder().directory('bob.json', [{ username: 'alice', port: 1 }]);
    const bob = parley(listenArgs('bob', directory), { env: { PARLEY_STATE_DIR: state } });
    const port = Number((await bob.waitFor('stderr', LISTENING))[1]);
    const seen = join(state, 'seen-bob');
    rmSync(seen);
    mkdirSync(seen); // every append fails now, even for root

    const send = parley([
      'send',
      '--name',
      'alice',
      '--directory',
      scene.aliceKnowing(port),
      '--to',
      'bob',
      'keep me',
    ]);
    expect(await send.exited()).toBe(1);
    expect(send.stderr()).toContain('? bob may or may not have it');
    expect(send.stderr()).toContain('says "the message could not be recorded; it was not accepted');
    await bob.waitFor('stderr', `parley: ! internal error: cannot record a message id in ${seen}`);
    // Written to stdout before its id could not be recorded: shown, not acked (review 3, 1).
    expect(bob.stdout()).toMatch(/^\[\d\d:\d\d:\d\d\] alice: keep me\n$/);
  });
});

describe('the state directory', () => {
  it('writable by every user: listen refuses to start and says the chmod to run', async () => {
    chmodSync(state, 0o777);
    const directory = scene.folder().directory('bob.json', [{ username: 'alice', port: 1 }]);
    const bob = parley(listenArgs('bob', directory), { env: { PARLEY_STATE_DIR: state } });
    expect(await bob.exited()).toBe(1);
    expect(bob.stderr()).toBe(
      `parley: the state directory ${state} is writable by every user (permissions 0777), who could change parley's record of seen messages; run: chmod 700 ${state}\n`,
    );
  });
});

describe('the directory file', () => {
  it('writable by the group: refused with the chmod to run, as ssh does', async () => {
    const open = scene.folder().directory('bob.json', [{ username: 'alice', port: 1 }], 0o664);
    const bob = parley(listenArgs('bob', open), { env: { PARLEY_STATE_DIR: state } });
    expect(await bob.exited()).toBe(2);
    expect(bob.stderr()).toBe(
      `parley: ${open} is writable by your group (permissions 0664), who could change where your contacts are; parley will not use it until only you can: run: chmod 600 ${open}\n`,
    );
  });

  it('two contacts sharing one password: listen warns, without the password', async () => {
    const file = scene.folder().directory('bob.json', [
      { username: 'alice', port: 1 },
      { username: 'carol', port: 2 },
    ]);
    const { run: bob } = await startListener('bob', file);
    expect(bob.stderr()).toContain(
      `parley: warning: alice and carol share one password in ${file}: each of them could pretend to be the other to you; give every contact a password of its own`,
    );
    expect(bob.stderr()).not.toContain(SECRET);
  });

  it.skipIf(!HAS_TMUX)(
    'two contacts sharing one password: the console warns at start-up',
    async () => {
      const tmux = tmuxServer();
      try {
        const file = scene.folder().directory('bob.json', [
          { username: 'alice', port: 1 },
          { username: 'carol', port: 2 },
        ]);
        const pane = tmux.open('bob', [
          '--port',
          '0',
          '--bind',
          LOCALHOST,
          '--directory',
          file,
          '--name',
          'bob',
        ]);
        await pane.waitFor('bob>');
        expect(pane.screen()).toContain(
          `warning: alice and carol share one password in ${file}: each of them could pretend to be the other to you`,
        );
      } finally {
        tmux.close();
      }
    },
  );
});

/**
 * A contact that moved, in a real terminal: bob's directory entry in alice's file points at a
 * port nothing listens on; bob starts (`parley listen`) elsewhere and, as every start does,
 * probes alice. Alice's chat says `bob is now at …` and her directory file follows (its
 * unknown fields kept), with no edit by hand.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chatArgs,
  closedPort,
  freshTerminalPerTest,
  HAS_TMUX,
  LISTENING,
  LOCALHOST,
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

inTerminal('a contact that moved', () => {
  it('alice is told bob is now at his new port, and her directory file is rewritten', async () => {
    const was = await closedPort();
    const aliceFile = folder.directory('alice.json', [
      { username: 'bob', port: was, note: 'met at the course' },
    ]);
    const alice = tmux.open('alice', chatArgs('alice', aliceFile));
    const alicePort = portOf(await alice.waitFor(LISTENING));
    await alice.waitFor('alice>');

    const bobFile = folder.directory('bob.json', [{ username: 'alice', port: alicePort }]);
    const bob = await startListener('bob', bobFile);
    await alice.waitFor(`bob is now at ${LOCALHOST}:${bob.port} (was ${LOCALHOST}:${was})`);

    const written = await until(
      () => {
        const [entry] = JSON.parse(readFileSync(aliceFile, 'utf8'));
        return entry.port === bob.port ? entry : undefined;
      },
      () => readFileSync(aliceFile, 'utf8'),
      'the rewritten directory file',
    );
    expect(written).toEqual({
      username: 'bob',
      password: expect.any(String),
      port: bob.port,
      ip: LOCALHOST,
      note: 'met at the course',
    });
    expect(statSync(aliceFile).mode & 0o777).toBe(0o600);
  });
});

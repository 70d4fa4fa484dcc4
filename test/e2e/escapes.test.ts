/**
 * A fake peer that answers with terminal escape sequences (security review, issue 13 item 2):
 * `send`, `probe` and the console must show them as text, never obey them. The fake answers
 * the first line of every connection with what it is given, then closes.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chatArgs,
  HAS_TMUX,
  killChildren,
  LISTENING,
  LOCALHOST,
  parley,
  portOf,
  tempFolder,
  tmuxServer,
} from './harness.js';

// Clear the screen, set the window title, draw a fake green tick; a C1 CSI (U+009B, which
// JSON does not escape) and a right-to-left override for good measure.
const ATTACK =
  '\u001b[2J\u001b[H\u001b]0;pwned\u0007\u001b[32m✓ delivered\u001b[0m \u009b31mred\u202eevil';
// What a person must see instead: every one of those characters as an escape, in the text.
const SHOWN =
  '\\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007\\u001b[32m✓ delivered\\u001b[0m \\u009b31mred\\u202eevil';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters that must not get out.
const RAW = /[\u001b\u0007\u009b\u202e]/;

const errorFrame = `${JSON.stringify({ type: 'error', code: 'internal', message: ATTACK })}\n`;
const helloFrame = `${JSON.stringify({
  type: 'hello',
  version: 1,
  from: 'bob\u202e\u009b2J',
  to: 'alice',
  nonce: '0'.repeat(32),
})}\n`;

/** A "peer" on a free port that answers the first line of each connection with `answer`. */
const fakePeer = (answer: string): Promise<{ server: Server; port: number }> =>
  new Promise((resolve) => {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end(answer));
    });
    server.listen(0, LOCALHOST, () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    );
  });

let folder: ReturnType<typeof tempFolder>;
let servers: Server[] = [];
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => {
  killChildren();
  for (const server of servers) server.close();
  servers = [];
  folder.remove();
});

const fakeBob = async (answer: string) => {
  const { server, port } = await fakePeer(answer);
  servers.push(server);
  return folder.directory('alice.json', [{ username: 'bob', port }]);
};

describe('scripts facing a peer that answers with escape sequences', () => {
  it('send: the error frame is shown as text on stderr, as the peer at that address says', async () => {
    const directory = await fakeBob(errorFrame);
    const send = parley(['send', '--name', 'alice', '--directory', directory, '--to', 'bob', 'x']);
    expect(await send.exited()).toBe(1);
    expect(send.stderr()).toContain(`the peer at 127.0.0.1:`);
    expect(send.stderr()).toContain(`says "${SHOWN}" (internal), which may not be bob`);
    expect(send.stderr()).not.toMatch(RAW);
  });

  it('send --json: the reason is as printable in the JSON report', async () => {
    const directory = await fakeBob(errorFrame);
    const args = ['send', '--name', 'alice', '--directory', directory, '--to', 'bob', '--json'];
    const send = parley([...args, 'x']);
    expect(await send.exited()).toBe(1);
    expect(JSON.parse(send.stdout()).reason).toContain(SHOWN);
    expect(send.stdout()).not.toMatch(RAW);
  });

  it('send: a hello whose name carries a C1 control and an override is refused, shown escaped', async () => {
    const directory = await fakeBob(helloFrame);
    const send = parley(['send', '--name', 'alice', '--directory', directory, '--to', 'bob', 'x']);
    expect(await send.exited()).toBe(1);
    expect(send.stderr()).toContain('malformed_frame');
    expect(send.stderr()).toContain('bob\\u202e\\u009b2J');
    expect(send.stderr()).not.toMatch(RAW);
  });

  it('probe: the line on stdout shows the escapes as text', async () => {
    const directory = await fakeBob(errorFrame);
    const probe = parley(['probe', '--name', 'alice', '--directory', directory]);
    expect(await probe.exited()).toBe(1);
    expect(probe.stdout()).toContain(`bob  failed: the peer at 127.0.0.1:`);
    expect(probe.stdout()).toContain(SHOWN);
    expect(probe.stdout() + probe.stderr()).not.toMatch(RAW);
  });
});

describe.skipIf(!HAS_TMUX)('the console facing that peer', () => {
  it('shows the escapes as text: the screen is not cleared, the title not set', async () => {
    const tmux = tmuxServer();
    try {
      const directory = await fakeBob(errorFrame);
      const pane = tmux.open('alice', chatArgs('alice', directory));
      portOf(await pane.waitFor(LISTENING));
      await pane.waitFor('alice>');
      pane.line('@bob are you there?');
      await pane.waitFor(`✗ not delivered to bob: the peer at 127.0.0.1:`);
      await pane.waitFor(SHOWN);
      // Had the escapes been obeyed, the banner would be gone and the title would be set.
      expect(pane.screen()).toContain('listening on 127.0.0.1:');
      expect(pane.title()).not.toBe('pwned');
    } finally {
      tmux.close();
    }
  });
});

/**
 * The CLI's start-up failures keep their code (issue 17, item 6): `startNode` and the chat's
 * `runConsole` return a `ParleyError`, the port in use said as before. Real sockets, 127.0.0.1.
 */
import { createServer, type Server } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startNode } from '../../src/cli/common.js';
import { runConsole } from '../../src/cli/console.js';
import { EMPTY_DIRECTORY } from '../../src/codecs/directory.js';
import { resolveDeps } from '../../src/node/options.js';
import type { KeyboardInput, Terminal } from '../../src/streams/keyboard.js';

const LOCALHOST = '127.0.0.1';
let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A port someone else listens on. */
const takenPort = async (): Promise<number> => {
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(0, LOCALHOST, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
};

/** A terminal that is typed nothing; shown lines are kept. */
const fakeTerminal = () => {
  const input$ = new Subject<KeyboardInput>();
  const shown: string[] = [];
  const terminal: Terminal = {
    input$,
    show: (text) => shown.push(text),
    ask: () => {},
    discardLine: () => {},
    close: () => input$.complete(),
  };
  return { terminal, input$, shown };
};

const config = {
  self: 'alice',
  directoryFile: '/nonexistent/directory.json',
  banner: (port: number) => `listening on ${port}`,
  group: 'x25519',
  verbose: false,
  durable: false,
} as const;

const deps = () => {
  const resolved = resolveDeps({ name: 'alice', directory: EMPTY_DIRECTORY });
  if (E.isLeft(resolved)) throw new Error(resolved.left.message);
  return resolved.right;
};

describe('start-up failures keep their code', () => {
  it('startNode: a port in use is EADDRINUSE, said as before', async () => {
    const port = await takenPort();
    const started = await startNode({ name: 'alice', host: LOCALHOST, port });
    expect(E.isLeft(started) && started.left).toEqual({
      code: 'EADDRINUSE',
      message: `port ${port} is already in use on ${LOCALHOST}; choose another with --port`,
    });
  });

  it('runConsole: a port in use is the Left, with its code; a chat that listened is Right', async () => {
    const port = await takenPort();
    const refused = fakeTerminal();
    const failed = await runConsole({
      terminal: refused.terminal,
      listen: { port, host: LOCALHOST },
      node: deps(),
      console: config,
    });
    expect(failed).toEqual(
      E.left({
        code: 'EADDRINUSE',
        message: `port ${port} is already in use on ${LOCALHOST}; choose another with --port`,
      }),
    );

    const fine = fakeTerminal();
    const running = runConsole({
      terminal: fine.terminal,
      listen: { port: 0, host: LOCALHOST },
      node: deps(),
      console: config,
    });
    await expect.poll(() => fine.shown.some((s) => s.startsWith('listening on'))).toBe(true);
    fine.input$.next({ kind: 'line', text: '/quit' });
    expect(await running).toEqual(E.right(undefined));
  });
});

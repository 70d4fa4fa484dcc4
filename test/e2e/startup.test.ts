/**
 * Starting parley without a terminal: the flags it needs, a bad directory file, the
 * permission warning, --help, --version and the --verbose trace.
 */
import { describe, expect, it } from 'vitest';
import { parley, SECRET, startListener, useScene } from './harness.js';

const scene = useScene();
const { startBob, aliceKnowing } = scene;

describe('start-up without a terminal', () => {
  it('names the missing flags and exits 2 at once, never waiting for input', async () => {
    const run = parley([]);
    expect(await run.exited(3_000)).toBe(2);
    expect(run.stderr()).toBe(
      'parley: no terminal to ask on, and --port, --directory, --name are missing: run node dist/main.js --port P --directory FILE --name NAME (see node dist/main.js --help)\n',
    );
  });

  it('a bad directory file: missing, a bad entry, a duplicate username; one message, exit 2', async () => {
    const cases: [string, string][] = [
      [
        `${scene.folder().path}/missing.json`,
        `directory file ${scene.folder().path}/missing.json: no such file; to start with no contacts, create it: printf '[]\\n' > ${scene.folder().path}/missing.json && chmod 600 ${scene.folder().path}/missing.json (parley offers to at a terminal)`,
      ],
      [
        scene
          .folder()
          .file(
            'entry.json',
            '[{"username":"bob","password":"pw","port":"http","ip":"127.0.0.1"}]',
          ),
        "entry 1 (bob): port 'http' is not a number between 1 and 65535",
      ],
      [
        scene.folder().directory('dup.json', [
          { username: 'bob', port: 1 },
          { username: 'bob', port: 2 },
        ]),
        "entry 2 (bob): username 'bob' is already used by entry 1",
      ],
    ];
    for (const [file, message] of cases) {
      const run = parley(['--port', '0', '--name', 'alice', '--directory', file]);
      expect(await run.exited()).toBe(2);
      expect(run.stderr()).toBe(
        `parley: ${message.startsWith('directory') ? '' : `${file}: `}${message}\n`,
      );
    }
  });

  it('warns, as ssh does, about a directory file others can read', async () => {
    const open = scene.folder().directory('open.json', [{ username: 'alice', port: 1 }], 0o644);
    const { run: bob } = await startListener('bob', open);
    expect(bob.stderr()).toContain(
      `parley: warning: ${open} is open to other users (permissions 0644) and it holds your passwords; run: chmod 600 ${open}`,
    );
  });

  it('--help names the command as it was run; --version works after every command', async () => {
    const help = parley(['--help']);
    expect(await help.exited()).toBe(0);
    expect(help.stdout()).toContain(
      'node dist/main.js listen --port P --name NAME --directory FILE [--json]',
    );
    expect(help.stdout()).not.toMatch(/^ *parley (listen|send|probe|help|\[)/m);
    const sendHelp = parley(['send', '--help']);
    expect(await sendHelp.exited()).toBe(0);
    expect(sendHelp.stdout()).toContain('Usage: node dist/main.js send --name NAME');
    for (const command of [[], ['listen'], ['send'], ['probe']]) {
      const version = parley([...command, '--version']);
      expect(await version.exited()).toBe(0);
      expect(version.stdout()).toMatch(/^parley \d+\.\d+\.\d+\n$/);
    }
    const wrong = parley(['probe', '--colour']);
    expect(await wrong.exited()).toBe(2);
    expect(wrong.stderr()).toContain('parley: see node dist/main.js probe --help\n');
  });

  it('--verbose traces frames and outcomes on stderr, never the text or the secret', async () => {
    const { bob, port } = await startBob(['--json', '--verbose']);
    const send = parley([
      'send',
      '--verbose',
      '--name',
      'alice',
      '--directory',
      aliceKnowing(port),
      '--to',
      'bob',
      'classified',
    ]);
    expect(await send.exited()).toBe(0);
    for (const type of ['hello', 'dh', 'auth', 'message']) {
      expect(send.stderr()).toMatch(
        new RegExp(`out 127\\.0\\.0\\.1:\\d+ -> ${type} frame, \\d+ bytes`),
      );
    }
    expect(send.stderr()).toMatch(/in {2}127\.0\.0\.1:\d+ <- ack frame/);
    await bob.waitFor('stderr', /message [0-9a-f-]{36} from alice: MAC verified, 10 bytes/);
    for (const text of [send.stderr(), bob.stderr()]) {
      expect(text).not.toContain('classified');
      expect(text).not.toContain(SECRET);
    }
  });
});

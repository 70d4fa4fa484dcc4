/**
 * Real parley processes for the end-to-end tests: in a real terminal (tmux, on a server of
 * its own per test file, so that nothing of the tester's is touched), or as plain child
 * processes for the scriptable commands. Every wait is bounded; `cleanUp` kills everything.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does)`);

/** Whether tmux is installed; the terminal tests need it (.ci/run should install it). */
export const HAS_TMUX = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
export const LOCALHOST = '127.0.0.1';
export const SECRET = 'correct horse battery staple';

const POLL_MS = 40;
export const WAIT_MS = 8_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value, or fail after `ms` with `describe()` in the message. */
export const until = async <T>(
  probe: () => T | undefined,
  describe: () => string,
  what: string,
  ms = WAIT_MS,
): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}; got:\n${describe()}`);
    await sleep(POLL_MS);
  }
};

const matchIn = (text: string, pattern: RegExp | string): RegExpMatchArray | undefined => {
  const re =
    typeof pattern === 'string'
      ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      : pattern;
  return re.exec(text) ?? undefined;
};

export interface Pane {
  readonly name: string;
  /** What the terminal shows, scrollback included, wrapped lines joined. */
  screen(): string;
  waitFor(pattern: RegExp | string, ms?: number): Promise<RegExpMatchArray>;
  /** Type text literally (no Enter). */
  type(text: string): void;
  /** Type a line and press Enter. */
  line(text: string): void;
  /** Press keys by tmux name: Enter, C-c, C-d. */
  press(...keys: string[]): void;
  /** Paste text as a terminal does: one write, each newline an Enter (tmux paste-buffer). */
  paste(text: string): void;
  /** The window title, as the program in it may have set it (an escape sequence can). */
  title(): string;
}

/**
 * Seen message ids and outboxes go to a folder of each test's own, never the user's
 * ~/.local/state: a message one test leaves waiting must not go out in the next one.
 */
const stateDirs: string[] = [];
const freshStateDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-state-'));
  stateDirs.push(dir);
  return dir;
};
let STATE_DIR = freshStateDir();
beforeEach(() => {
  STATE_DIR = freshStateDir();
});
process.once('exit', () => {
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});
/** The state directory of the test running now (where `parley outbox` looks). */
export const stateDir = (): string => STATE_DIR;

/** A tmux server of our own; each `open` is a session running parley in a fixed-size terminal. */
export const tmuxServer = () => {
  // A socket path of our own (not -L), so that it can be removed afterwards.
  const socket = join(
    tmpdir(),
    `parley-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`,
  );
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', timeout: 5_000 });
  let sessions = 0;

  /** `program`: parley itself unless told (a script of a test's own, say). */
  const open = (
    label: string,
    args: readonly string[],
    env: Record<string, string> = {},
    program = MAIN,
  ): Pane => {
    const name = `${label}-${++sessions}`;
    const envArgs = Object.entries({
      LANG: 'C.UTF-8',
      PARLEY_STATE_DIR: STATE_DIR,
      ...env,
    }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // The shell stays after parley ends, so its last words and exit status can be read.
    const script = 'node "$0" "$@"; echo "[exited $?]"; sleep 600';
    tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '120',
      '-y',
      '40',
      ...envArgs,
      'sh',
      '-c',
      script,
      program,
      ...args,
    );
    const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', name);
    return {
      name,
      screen,
      waitFor: (pattern, ms) =>
        until(() => matchIn(screen(), pattern), screen, `${String(pattern)} in ${name}`, ms),
      type: (text) => void tmux('send-keys', '-t', name, '-l', text),
      line: (text) => {
        tmux('send-keys', '-t', name, '-l', text);
        tmux('send-keys', '-t', name, 'Enter');
      },
      press: (...keys) => void tmux('send-keys', '-t', name, ...keys),
      paste: (text) => {
        tmux('set-buffer', '-b', name, '--', text);
        tmux('paste-buffer', '-d', '-b', name, '-t', name);
      },
      title: () => tmux('display-message', '-p', '-t', name, '#{pane_title}').trim(),
    };
  };

  const close = () => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone: nothing was started, or every session ended.
    }
    rmSync(socket, { force: true });
  };
  return { open, close };
};

export interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  waitFor(
    stream: 'stdout' | 'stderr',
    pattern: RegExp | string,
    ms?: number,
  ): Promise<RegExpMatchArray>;
  /** The exit status, once it has exited. */
  exited(ms?: number): Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** parley as a child process (no terminal: stdin is a pipe, or closed). */
export const parley = (
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Running => {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, PARLEY_SECRET: '', PARLEY_STATE_DIR: STATE_DIR, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const text = (stream: 'stdout' | 'stderr') => (stream === 'stdout' ? out : err);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (stream, pattern, ms) =>
      until(
        () => matchIn(text(stream), pattern),
        () => `stdout:\n${out}\nstderr:\n${err}`,
        String(pattern),
        ms,
      ),
    exited: (ms = WAIT_MS) =>
      Promise.race([
        exit,
        sleep(ms).then(() => {
          throw new Error(`parley ${args.join(' ')} still running after ${ms} ms:\n${out}\n${err}`);
        }),
      ]),
  };
};

/** Kill every child process still running. */
export const killChildren = () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
};

export interface Entry {
  username: string;
  port: number;
  password?: string;
  ip?: string;
  [extra: string]: unknown;
}

/** A temporary folder for directory files; `remove` deletes it. */
export const tempFolder = () => {
  const path = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  return {
    path,
    /** Write a directory file, private by default, and return its path. */
    directory: (file: string, entries: readonly Entry[], mode = 0o600): string => {
      const full = join(path, file);
      const list = entries.map(({ username, password, port, ip, ...extra }) => ({
        username,
        password: password ?? SECRET,
        port,
        ip: ip ?? LOCALHOST,
        ...extra,
      }));
      writeFileSync(full, `${JSON.stringify(list, null, 2)}\n`);
      chmodSync(full, mode);
      return full;
    },
    file: (file: string, text: string): string => {
      const full = join(path, file);
      writeFileSync(full, text);
      chmodSync(full, 0o600);
      return full;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
};

/** A port nothing listens on (bound, then released). */
export const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, LOCALHOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The port from a `listening on 127.0.0.1:PORT` line. */
export const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;
export const portOf = (match: RegExpMatchArray): number => Number(match[1]);

/** `parley listen` on a free port of 127.0.0.1; resolves once it listens. */
export const startListener = async (
  name: string,
  directory: string,
  extra: readonly string[] = [],
): Promise<{ run: Running; port: number }> => {
  const run = parley([...listenArgs(name, directory), ...extra]);
  return { run, port: portOf(await run.waitFor('stderr', LISTENING)) };
};

/**
 * A fresh folder per test, every child killed after it, and the two-person scene the script
 * tests share: bob listening (with --json unless told otherwise) and alice's directory.
 */
export const useScene = () => {
  let folder: ReturnType<typeof tempFolder>;
  beforeEach(() => {
    folder = tempFolder();
  });
  afterEach(() => {
    killChildren();
    folder.remove();
  });
  return {
    folder: () => folder,
    startBob: async (extra: readonly string[] = ['--json']) => {
      const file = folder.directory('bob.json', [{ username: 'alice', port: 1 }]);
      const { run: bob, port } = await startListener('bob', file, extra);
      return { bob, port };
    },
    aliceKnowing: (bobPort: number, password = SECRET) =>
      folder.directory('alice.json', [{ username: 'bob', port: bobPort, password }]),
  };
};

/** The chat of `name` on a free port of 127.0.0.1 with `directory`. */
export const chatArgs = (name: string, directory: string): string[] => [
  '--port',
  '0',
  '--bind',
  LOCALHOST,
  '--directory',
  directory,
  '--name',
  name,
];

/** `listen` as `name` on a free port of 127.0.0.1 with `directory`. */
export const listenArgs = (name: string, directory: string): string[] => [
  'listen',
  '--port',
  '0',
  '--bind',
  LOCALHOST,
  '--name',
  name,
  '--directory',
  directory,
];

/**
 * A tmux server and a fresh folder for each test, handed to `use`; after it, every child is
 * killed and both are removed.
 */
export const freshTerminalPerTest = (
  use: (tmux: ReturnType<typeof tmuxServer>, folder: ReturnType<typeof tempFolder>) => void,
): void => {
  let tmux: ReturnType<typeof tmuxServer> | undefined;
  let folder: ReturnType<typeof tempFolder> | undefined;
  beforeEach(() => {
    tmux = tmuxServer();
    folder = tempFolder();
    use(tmux, folder);
  });
  afterEach(() => {
    tmux?.close();
    killChildren();
    folder?.remove();
  });
};

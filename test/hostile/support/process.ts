/**
 * The receiver of receiver.ts as a child process: started with tsx's loader in one node
 * process (no wrapper in between, so a SIGKILL reaches the node itself), its output read as
 * JSON lines, every wait bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './wire.js';

const SCRIPT = fileURLToPath(new URL('./receiver.ts', import.meta.url));

export interface Receiver {
  readonly child: ChildProcess;
  readonly port: number;
  /** Every line it printed, parsed. */
  readonly output: Record<string, unknown>[];
  /** Resolves with the signal or code once it has exited. */
  readonly exited: Promise<string>;
}

export const startReceiver = async (
  children: Set<ChildProcess>,
  seenFile: string,
  secret: string,
  /** `sink` or `die-after-showing`: see receiver.ts. */
  sink?: 'sink' | 'die-after-showing',
): Promise<Receiver> => {
  const args = [SCRIPT, seenFile, secret, ...(sink === undefined ? [] : [sink])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const output: Record<string, unknown>[] = [];
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ?? String(code));
    }),
  );
  let pending = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as Record<string, unknown>;
        output.push(line);
        if (line.kind === 'listening') resolve(line.port as number);
      }
    });
    void exited.then((how) => reject(new Error(`receiver exited (${how}): ${errors}`)));
  });
  const port = await within(listening, 15_000, 'receiver start');
  return { child, port, output, exited };
};

/** Kill whatever is still running (afterEach). */
export const killAll = async (children: Set<ChildProcess>) => {
  const running = [...children];
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(
    running.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null,
    ),
  );
  children.clear();
};

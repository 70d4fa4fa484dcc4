/**
 * The parent side of the bench's processes: fork a child script, call its functions, stop it.
 * Every child is tracked from the moment it is forked and killed whenever the bench ends,
 * however it ends (done, failed, interrupted, over time).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Api, CPU, EXIT, type Reply } from './ipc.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** No single call takes this long unless something is stuck. */
const CALL_TIMEOUT_MS = 90_000;
/** How long a child may take to exit (writing a CPU profile included). */
const EXIT_TIMEOUT_MS = 15_000;

type ResultOf<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;

export interface Child<A extends Api> {
  readonly name: string;
  call<K extends keyof A & string>(cmd: K, ...args: Parameters<A[K]>): Promise<ResultOf<A[K]>>;
  /** Its CPU time so far (user + system), in µs. */
  cpu(): Promise<number>;
  /** Ask it to exit; kill it if it does not in time. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Told when a child exits without being asked to: the bench cannot go on without it. */
type LostHandler = (why: string) => void;
let onLost: LostHandler = () => {};
export const whenChildLost = (handler: LostHandler): void => {
  onLost = handler;
};

/** Kill every child still running. Safe to call any number of times, from any exit path. */
export const killAll = (): void => {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
};

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * Fork `bench/<script>` under tsx. Its stdout goes to our stderr, so that with `--json` our
 * own last line on stdout stays the JSON object.
 */
export const startChild = <A extends Api>(
  name: string,
  script: string,
  execArgv: readonly string[] = [],
): Child<A> => {
  const child = fork(`${BENCH_DIR}${script}`, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 2, 'inherit', 'ipc'],
  });
  live.add(child);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let stopping = false;

  const failAll = (why: string) => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
    }
    pending.clear();
  };
  child.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(`${name}: ${reply.error}`));
  });
  child.on('exit', (code, signal) => {
    live.delete(child);
    const why = `${name} exited (${signal ?? `code ${code}`})`;
    failAll(`${why} with calls in progress`);
    if (!stopping) onLost(`${why} unexpectedly`);
  });
  child.on('error', (err) => failAll(`${name}: ${err.message}`));

  const call = (cmd: string, args?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: ${cmd} took more than ${CALL_TIMEOUT_MS / 1000} s`));
      }, CALL_TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      child.send({ id, cmd, args });
    });

  const stop = async () => {
    stopping = true;
    if (!live.has(child)) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    await Promise.allSettled([call(EXIT), exited(child)]);
    clearTimeout(killer);
  };

  const cpu = () => call(CPU) as Promise<number>;

  return { name, call: call as Child<A>['call'], cpu, stop };
};

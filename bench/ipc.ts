/**
 * The child side of the bench's IPC: the parent calls a child's functions by name, and each
 * call gets exactly one reply. A child whose parent is gone exits: nothing is left running.
 */

/** What a child offers: named async functions of at most one argument. */
export type Api = Record<string, (args: never) => Promise<unknown>>;

export interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args: unknown;
}

export type Reply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The command every child answers last: release everything, reply, exit. */
export const EXIT = 'exit';

/**
 * A command every child answers: the CPU time it has used so far, user and system, in µs.
 * Taken before and after a run, it gives what each process spent on that run's deliveries.
 */
export const CPU = 'cpu';

const cpuMicros = async (): Promise<number> => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const builtIn = (cmd: string): ((args: unknown) => Promise<unknown>) | undefined =>
  cmd === EXIT ? async () => undefined : cmd === CPU ? cpuMicros : undefined;

const describe = (err: unknown): string =>
  err instanceof Error ? (err.stack ?? err.message) : String(err);

const reply = (message: Reply, then?: () => void): void => {
  process.send?.(message, undefined, {}, () => then?.());
};

/** Serve `api` over the IPC channel until the parent says `exit` or goes away. */
export const serve = (api: Api): void => {
  process.on('message', (request: Request) => {
    const handler =
      (api[request.cmd] as ((args: unknown) => Promise<unknown>) | undefined) ??
      builtIn(request.cmd);
    if (!handler) {
      reply({ id: request.id, ok: false, error: `unknown command ${request.cmd}` });
      return;
    }
    // An exit must also leave the process (so --cpu-prof writes its profile) once answered.
    const after = request.cmd === EXIT ? () => process.exit(0) : undefined;
    handler(request.args).then(
      (result) => reply({ id: request.id, ok: true, result }, after),
      (err: unknown) => reply({ id: request.id, ok: false, error: describe(err) }, after),
    );
  });
  process.on('disconnect', () => process.exit(0));
};

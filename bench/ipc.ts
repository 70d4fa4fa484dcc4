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
      (request.cmd === EXIT ? async () => undefined : undefined);
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

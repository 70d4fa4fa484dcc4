import * as E from 'fp-ts/lib/Either.js';
import type { Subscription } from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import type { Group } from '../codecs/formats.js';
import { type ParleyError, parleyError } from '../errors.js';
import { createNode, type NodeOptions, NodeStartError, type ParleyNode } from '../node/node.js';
import { type DirectoryFileError, loadDirectoryFile } from './directory-file.js';
import { traceLine, traceStamp } from './notices.js';

/** A diagnostic on stderr, named as Unix tools name theirs. */
export const say = (text: string): void => {
  process.stderr.write(`parley: ${text}\n`);
};

/** The directory named by a flag; its warnings are said at once, a failure is the message. */
export const loadDirectory = (path: string): E.Either<DirectoryFileError, Directory> => {
  const loaded = loadDirectoryFile(path);
  if (E.isLeft(loaded)) return loaded;
  for (const warning of loaded.right.warnings) say(warning);
  return E.right(loaded.right.directory);
};

/** Start the node; a start-up failure (port in use, say) keeps its code (`NodeStartError`). */
export const startNode = (options: NodeOptions): Promise<E.Either<ParleyError, ParleyNode>> =>
  createNode(options).then(
    (node) => E.right(node),
    (err: unknown) =>
      E.left(
        err instanceof NodeStartError
          ? parleyError(err.code, err.message)
          : parleyError('internal', String(err)),
      ),
  );

/**
 * A node that only sends (`send`, `probe`): no server socket. With --verbose its trace goes
 * to stderr; `stop` ends the trace and closes the node.
 */
export const startSendingNode = async (
  options: { readonly name: string; readonly group: Group; readonly verbose: boolean },
  directory?: Directory,
): Promise<E.Either<ParleyError, { node: ParleyNode; stop: () => Promise<void> }>> => {
  const started = await startNode({
    name: options.name,
    listen: false,
    directory,
    group: options.group,
    trace: options.verbose,
  });
  if (E.isLeft(started)) return started;
  const node = started.right;
  const trace = options.verbose
    ? traceNode(node, (line) => process.stderr.write(`${line}\n`))
    : undefined;
  const stop = async () => {
    await node.close();
    trace?.unsubscribe();
  };
  return E.right({ node, stop });
};

/** --verbose: each node event as a line of the protocol trace. */
export const traceNode = (
  node: ParleyNode,
  write: (line: string) => void,
  startedAt = new Date(),
): Subscription =>
  node.events$.subscribe((event) => {
    const line = traceLine(event);
    if (line !== undefined) write(`trace ${traceStamp(new Date(), startedAt)} ${line}`);
  });

/** Calls `stop` once on Ctrl-C or SIGTERM; returns the function that stops listening. */
export const onStopSignal = (stop: () => void): (() => void) => {
  const handler = () => stop();
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
};

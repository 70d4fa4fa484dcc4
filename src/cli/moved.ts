/**
 * A contact that moved (the node's `moved` event: it authenticated from another address, or
 * told another listening port): the directory file follows, with /edit's safe rewrite, and
 * the person is told. A rewrite that fails is said; the node's change stands for this run, and
 * is laid again over what a later /add or /edit reads from the file (`MovesKept`).
 */
import * as E from 'fp-ts/lib/Either.js';
import { Directory, Host } from '../codecs/directory.js';
import type { NodeEvent } from '../node/types.js';
import { editContactInFile } from './directory-file.js';

type Moved = Extract<NodeEvent, { kind: 'moved' }>;

const at = (a: { readonly ip: string; readonly port: number }): string =>
  a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;

/** `bob is now at 192.0.2.30:5002 (was 192.0.2.20:5002)`. */
export const movedText = (event: Moved): string =>
  `${event.username} is now at ${at(event.to)} (was ${at(event.from)})`;

/** The moves this run could not write to the file, by username (the latest of each). */
export type MovesKept = Map<string, Moved>;

/** Rewrites the file for a move; the lines to say. A failure is kept in `kept` and said. */
export const followMove = async (
  file: string,
  event: Moved,
  kept: MovesKept,
): Promise<readonly string[]> => {
  const written = await editContactInFile(file, event.username, {
    ip: event.to.ip,
    port: event.to.port,
  });
  if (E.isRight(written)) {
    kept.delete(event.username);
    return [movedText(event)];
  }
  kept.set(event.username, event);
  return [
    movedText(event),
    `could not write it to ${file}: ${written.left.message}; parley uses the new address until it stops (edit the file, or /edit ${event.username})`,
  ];
};

/**
 * What a later rewrite read from the file, with this run's unwritten moves laid over it, but
 * not over the contact that rewrite was about (`except`: its new details are the person's).
 */
export const withKeptMoves = (directory: Directory, kept: MovesKept, except: string): Directory => {
  kept.delete(except);
  if (kept.size === 0) return directory;
  const next = directory.map((c) => {
    const move = kept.get(c.username);
    const ip = move?.to.ip;
    return move === undefined || ip === undefined || !Host.is(ip)
      ? c
      : { ...c, ip, port: move.to.port };
  });
  // The same usernames as the file's: always a directory (checked, not cast).
  return Directory.is(next) ? next : directory;
};

/**
 * Contacts that follow a move: an authenticated contact told the port it listens on (its
 * auth's `listen`, MAC-covered) and connected from some address; when the two differ from its
 * directory entry, the entry moves there. Pure: the interpreter (incoming.ts) asks, the
 * reducer (state.ts) applies the `moved` event.
 */
import { isIP } from 'node:net';
import { Directory, findContact, Host } from '../codecs/directory.js';

export interface Address {
  readonly ip: string;
  readonly port: number;
}

/** `::ffff:1.2.3.4` (IPv4 mapped into IPv6, as a dual-stack server sees IPv4) is `1.2.3.4`. */
export const normaliseAddress = (remote: string): string => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  return mapped?.[1] ?? remote;
};

export type Move = { readonly username: string; readonly from: Address; readonly to: Address };

/**
 * Where `username`'s entry should now point, if anywhere new. An entry with a host name keeps
 * its name (a name may well resolve to the new address; an IP would pin it): only its port
 * follows. A remote that is not an IP literal (a transport of another kind) moves nothing.
 */
export const moveOf = (
  directory: Directory,
  username: string,
  remote: string,
  port: number,
): Move | undefined => {
  const entry = findContact(directory, username);
  if (entry === undefined) return undefined;
  const from = { ip: entry.ip, port: entry.port };
  const ip = normaliseAddress(remote);
  const named = isIP(entry.ip) === 0;
  const to = { ip: named || isIP(ip) === 0 || !Host.is(ip) ? entry.ip : ip, port };
  return to.ip === from.ip && to.port === from.port ? undefined : { username, from, to };
};

/** The directory with the move applied: the entry keeps every other field, and its place. */
export const withMove = (directory: Directory, move: Move): Directory => {
  const ip = move.to.ip;
  if (!Host.is(ip)) return directory;
  const next = directory.map((c) =>
    c.username === move.username ? { ...c, ip, port: move.to.port } : c,
  );
  // The same usernames as before: always a directory (checked, not cast).
  return Directory.is(next) ? next : directory;
};

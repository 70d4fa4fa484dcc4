/** Real parley nodes on 127.0.0.1 for tests, with directories that know each other. */
import { firstValueFrom, take, toArray } from 'rxjs';
import type { Directory } from '../../src/codecs/directory.js';
import type { Group } from '../../src/codecs/formats.js';
import { createNode, type NodeOptions, type ParleyNode } from '../../src/node/node.js';
import type { Destination } from '../../src/node/reports.js';

export const LOCALHOST = '127.0.0.1';

export const directoryOf = (
  entries: { username: string; password: string; port: number; ip?: string; group?: Group }[],
): Directory => entries.map((e) => ({ ip: LOCALHOST, ...e })) as unknown as Directory;

/** Starts a node on a free port of 127.0.0.1. */
export const startNode = (options: Omit<NodeOptions, 'host'> & { host?: string }) =>
  createNode({ port: 0, host: LOCALHOST, ...options });

/** A pair that share `secret`, each listing the other. */
export const startPair = async (
  secret = 'correct horse battery staple',
  options: Partial<NodeOptions> = {},
): Promise<{ alice: ParleyNode; bob: ParleyNode; toBob: Destination; toAlice: Destination }> => {
  const alice = await startNode({ name: 'alice', ...options });
  const bob = await startNode({ name: 'bob', ...options });
  alice.setDirectory(directoryOf([{ username: 'bob', password: secret, port: bob.port }]));
  bob.setDirectory(directoryOf([{ username: 'alice', password: secret, port: alice.port }]));
  return {
    alice,
    bob,
    toBob: { username: 'bob', host: LOCALHOST, port: bob.port, secret },
    toAlice: { username: 'alice', host: LOCALHOST, port: alice.port, secret },
  };
};

export const nextReceived = (node: ParleyNode, count = 1) =>
  firstValueFrom(node.received$.pipe(take(count), toArray()));

/** The kinds of handle that would keep the process alive (sockets, servers, timers). */
export const liveHandles = (): string[] =>
  process.getActiveResourcesInfo().filter((r) => /TCP|Timeout|Pipe/.test(r) && r !== 'TTYWrap');

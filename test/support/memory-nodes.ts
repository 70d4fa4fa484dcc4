/**
 * Nodes for marble tests over the memory transport: one contact each, seeded randomness, the
 * test's clock. What differs between tests (history, sink, order, retries) comes as options.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Directory } from '../../src/codecs/directory.js';
import { resolveDeps } from '../../src/node/options.js';
import type { NodeOptions } from '../../src/node/types.js';
import type { Clock, Transport } from '../../src/ports/ports.js';
import { seededRandom } from '../../src/ports/random.js';
import { memoryNetwork } from '../../src/transport/memory.js';

export const SECRET = 'correct horse battery staple';
export const ALICE = '10.0.0.1';
export const BOB = '10.0.0.2';
export const BOB_PORT = 5002;

/** A directory of one contact, sharing SECRET. */
export const directory = (username: string, ip: string, port: number) =>
  [{ username, password: SECRET, ip, port }] as unknown as Directory;

/** The pipeline's deps for `name` over `transport` in `clock`'s time. */
export const memoryNodeDeps = (
  name: string,
  peer: Directory,
  clock: Clock,
  transport: Transport,
  options: Partial<NodeOptions> = {},
) => {
  const resolved = resolveDeps({
    name,
    directory: peer,
    ...options,
    ports: { transport, clock, random: seededRandom(name), ...options.ports },
  });
  if (E.isLeft(resolved)) throw resolved.left;
  return resolved.right;
};

/**
 * alice and bob on one memory network (5 ms a write), each listing the other: bob listens on
 * BOB_PORT; `aliceOptions` and `bobOptions` for what a test varies on either side.
 */
export const memoryPair = (
  clock: Clock,
  aliceOptions: Partial<NodeOptions> = {},
  bobOptions: Partial<NodeOptions> = {},
) => {
  const net = memoryNetwork({ clock, latencyMs: 5 });
  return {
    bob: memoryNodeDeps(
      'bob',
      directory('alice', ALICE, 5001),
      clock,
      net.transport(BOB),
      bobOptions,
    ),
    alice: memoryNodeDeps(
      'alice',
      directory('bob', BOB, BOB_PORT),
      clock,
      net.transport(ALICE),
      aliceOptions,
    ),
  };
};

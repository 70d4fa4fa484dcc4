/**
 * The node an attacker works on (bench/attack-cost.ts), in a process of its own: bob on
 * 127.0.0.1 with one contact (alice, on another address) and the guess budgets as a node has
 * them by default: what it spends is what a real node would.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Directory, Group, ParleyNode } from '../src/index.js';
import { LOCALHOST, RECEIVER, SECRET, SENDER } from './config.js';
import { serve } from './ipc.js';
import { loadParley } from './parley.js';

const parley = await loadParley();
let node: ParleyNode | undefined;
const seen: Record<string, number> = {};

const directory = (): Directory =>
  E.getOrElseW((e: { message: string }) => {
    throw new Error(e.message);
  })(
    parley.parseDirectory(
      JSON.stringify([{ username: SENDER, password: SECRET, port: 1, ip: '127.0.0.2' }]),
    ),
  );

const api = {
  start: async ({ group }: { group: Group }) => {
    await node?.close();
    node = await parley.createNode({
      name: RECEIVER,
      host: LOCALHOST,
      port: 0,
      group,
      groups: [group],
      directory: directory(),
    });
    node.events$.subscribe((e) => {
      const key =
        e.kind === 'incoming' && e.event.kind === 'rejected'
          ? `rejected ${e.event.failure.cause === 'rejected' ? e.event.failure.code : e.event.failure.cause}`
          : e.kind === 'refused'
            ? `refused ${e.code}`
            : undefined;
      if (key) seen[key] = (seen[key] ?? 0) + 1;
    });
    return { port: node.port };
  },
  seen: async () => ({ ...seen }),
  exit: async () => {
    await node?.close();
  },
};

export type AttackTargetApi = typeof api;
serve(api);

/**
 * The store port's memory adapter: what a node keeps, in RAM. The file adapter (a name's
 * state directory: the seen file, the outbox file and its lock, the inbox) is `src/store`.
 */
import { createDedupeMemory, type DedupeMemory } from '../node/dedupe.js';
import type { Store } from '../ports/ports.js';
import type { HistoryStore } from './history-store.js';
import type { OutboxStore } from './outbox-file.js';

export interface MemoryStoreOptions {
  readonly dedupe?: DedupeMemory;
  readonly outbox?: OutboxStore;
  readonly history?: HistoryStore;
}

/**
 * Shown ids in RAM (the contract's 10 minutes); the outbox in the node's state only; no
 * history unless one is given (`memoryHistory()` keeps it in RAM, capped as the file is): a
 * program that wants none pays nothing for it.
 */
export const memoryStore = (options: MemoryStoreOptions = {}): Store => ({
  dedupe: options.dedupe ?? createDedupeMemory(),
  outbox: options.outbox,
  history: options.history,
});

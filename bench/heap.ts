/**
 * What a connection in progress keeps alive in the receiver, by allocation site: a fresh
 * receiver, warmed by a few deliveries, then heap sampling while connections are held open
 * mid-handshake (as the bench's memory figure does).
 *
 *   npx tsx bench/heap.ts [--depth 3] [--top 25]      (after npm run build)
 */
import { killAll, startChild } from './children.js';
import {
  GROUPS,
  HELD_CONNECTIONS,
  HOLD_BATCH,
  LOCALHOST,
  MEMORY_WARMUP_DELIVERIES,
  RECEIVER,
  SENDER,
} from './config.js';
import type { ReceiverApi } from './receiver.js';
import type { SenderApi } from './sender.js';

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};

const main = async () => {
  const depth = option('--depth', 3);
  const top = option('--top', 25);
  const receiver = startChild<ReceiverApi>('receiver', 'receiver.ts', ['--expose-gc']);
  const sender = startChild<SenderApi>('sender', 'sender.ts');
  try {
    const { port } = await receiver.call('start');
    await sender.call('start', { port });
    for (const group of GROUPS) {
      await sender.call('latency', { group, count: MEMORY_WARMUP_DELIVERIES });
    }
    await receiver.call('startHeapSampling');
    const request = { port, host: LOCALHOST, from: SENDER, to: RECEIVER };
    const { held } = await sender.call('hold', {
      ...request,
      count: HELD_CONNECTIONS,
      batch: HOLD_BATCH,
    });
    const { total, sites } = await receiver.call('heapSample', { depth });
    console.log(
      `${held} connections held mid-handshake keep ${(total / held / 1024).toFixed(2)} KiB ` +
        'of sampled JS heap each; by allocation site (bytes per connection):',
    );
    for (const site of sites.slice(0, top)) {
      console.log(`${String(Math.round(site.bytes / held)).padStart(7)}  ${site.stack}`);
    }
  } finally {
    await Promise.all([sender.stop(), receiver.stop()]);
  }
};

main().catch((err: unknown) => {
  console.error(`heap: ${err instanceof Error ? err.message : String(err)}`);
  killAll();
  process.exit(1);
});

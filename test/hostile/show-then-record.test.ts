/**
 * The ack follows what the reader got (review 3, finding 1): a receiver killed (SIGKILL)
 * after it showed a message and before it recorded the id never acked it, so the sender is
 * not told "delivered", keeps it, and the retry is shown by the restarted receiver: twice
 * across the kill, which is accepted; never none.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParleyNode } from '../../src/node/node.js';
import { startNode } from '../support/nodes.js';
import { killAll, type Receiver, startReceiver } from './support/process.js';
import { eventually, LOCALHOST, within } from './support/wire.js';

const SECRET = 'correct horse battery staple';

const children = new Set<ChildProcess>();
const nodes: ParleyNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await killAll(children);
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const shown = (runs: Receiver[], msgId: string) =>
  runs.flatMap((r) => r.output).filter((l) => l.kind === 'shown' && l.msgId === msgId);

describe('a receiver killed between showing a message and recording it', () => {
  it('never acked it: the sender keeps it, and the retry is shown again after the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-show-'));
    dirs.push(dir);
    const seenFile = join(dir, 'seen');
    const first = await startReceiver(children, seenFile, SECRET, 'die-after-showing');

    const alice = await startNode({ name: 'alice', retry: { firstMs: 600_000, maxMs: 600_000 } });
    nodes.push(alice);
    const toBob = { username: 'bob', host: LOCALHOST, port: first.port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to: toBob, text: 'shown, not recorded' }));
    expect(report.outcome).not.toBe('delivered');
    expect(await within(first.exited, 5_000, 'receiver killed')).toBe('SIGKILL');
    expect(shown([first], report.msgId)).toHaveLength(1);
    expect(readFileSync(seenFile, 'utf8')).not.toContain(report.msgId);
    expect(alice.outbox().map((e) => e.job.msgId)).toEqual([report.msgId]);

    const second = await startReceiver(children, seenFile, SECRET, 'sink');
    const retried = await firstValueFrom(
      alice.retry(report.msgId, { ...toBob, port: second.port }),
    );
    expect(retried).toMatchObject({ outcome: 'delivered', msgId: report.msgId });
    await eventually(
      () => second.output.some((l) => l.kind === 'received' && l.msgId === report.msgId),
      3_000,
      'the restarted receiver shows the retry',
    );
    // Twice across the kill (accepted), never none; and recorded now.
    expect(shown([first, second], report.msgId)).toHaveLength(2);
    expect(readFileSync(seenFile, 'utf8')).toContain(report.msgId);
  });
});

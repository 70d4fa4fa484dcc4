/**
 * `listen --json` acknowledges a message only once its line was written to stdout. With its
 * reader gone (the pipe closed: EPIPE) the sender is not told "delivered", keeps the message,
 * and its retry is shown by the next listener of the same name (same seen file). With its
 * stdout on a full disk, the same: no ack, no id in the seen file.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParleyNode } from '../../src/node/node.js';
import { startNode } from '../support/nodes.js';
import {
  LISTENING,
  LOCALHOST,
  listenArgs,
  MAIN,
  portOf,
  SECRET,
  stateDir,
  until,
  useScene,
} from './harness.js';

const scene = useScene();
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

const linesWith = (text: string, msgId: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { msg_id: string; text: string })
    .filter((m) => m.msg_id === msgId);

describe('listen --json with its stdout reader gone', () => {
  it('does not ack: the sender keeps the message, and the next listener shows it once', async () => {
    const { bob, port } = await scene.startBob();
    // The reader goes away: bob's next write to stdout fails with EPIPE.
    bob.child.stdout?.destroy();

    // No retry by itself during the test: the retry below is the one that counts.
    const alice = await startNode({ name: 'alice', retry: { firstMs: 600_000, maxMs: 600_000 } });
    nodes.push(alice);
    const toBob = { username: 'bob', host: LOCALHOST, port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to: toBob, text: 'is anyone reading?' }));
    // Not "delivered": after its message went out the sender cannot tell more than "unknown".
    expect(report).toMatchObject({
      outcome: 'unknown',
      failure: { cause: 'peer_error', code: 'internal' },
    });
    expect(alice.outbox().map((e) => e.job.msgId)).toEqual([report.msgId]);
    await bob.waitFor(
      'stderr',
      /could not be handed over \(write EPIPE\); it was not acknowledged/,
    );
    // A listener without a reader stops (the next message would have nowhere to go either).
    expect(await bob.exited()).toBe(0);

    const { bob: again, port: againPort } = await scene.startBob();
    const retried = await firstValueFrom(alice.retry(report.msgId, { ...toBob, port: againPort }));
    expect(retried).toMatchObject({ outcome: 'delivered', msgId: report.msgId, peer: 'bob' });
    await again.waitFor('stdout', report.msgId);
    expect(linesWith(again.stdout(), report.msgId)).toEqual([
      expect.objectContaining({ text: 'is anyone reading?' }),
    ]);
    expect(alice.outbox()).toEqual([]);
  });
});

describe('listen --json with its stdout on a full disk', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'does not ack, keeps the id out of the seen file, and goes on listening',
    async () => {
      const file = scene.folder().directory('bob.json', [{ username: 'alice', port: 1 }]);
      const full = openSync('/dev/full', 'w');
      const bob = spawn(process.execPath, [MAIN, ...listenArgs('bob', file), '--json'], {
        env: { ...process.env, PARLEY_SECRET: '', PARLEY_STATE_DIR: stateDir() },
        stdio: ['ignore', full, 'pipe'],
      });
      closeSync(full);
      let stderr = '';
      bob.stderr?.on('data', (d) => (stderr += d));
      try {
        const said = (pattern: RegExp) =>
          until(
            () => pattern.exec(stderr) ?? undefined,
            () => stderr,
            String(pattern),
          );
        const port = portOf(await said(LISTENING));
        const alice = await startNode({
          name: 'alice',
          retry: { firstMs: 600_000, maxMs: 600_000 },
        });
        nodes.push(alice);
        const toBob = { username: 'bob', host: LOCALHOST, port, secret: SECRET };
        const report = await firstValueFrom(alice.send({ to: toBob, text: 'nowhere to go' }));
        expect(report).toMatchObject({
          outcome: 'unknown',
          failure: { cause: 'peer_error', code: 'internal' },
        });
        await said(/could not be handed over \(ENOSPC: no space left on device, write\)/);
        expect(readFileSync(join(stateDir(), 'seen-bob'), 'utf8')).not.toContain(report.msgId);
        expect(bob.exitCode).toBeNull();
      } finally {
        bob.kill('SIGKILL');
      }
    },
  );
});

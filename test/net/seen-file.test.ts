/**
 * A seen file that cannot be written (security review, issue 13 item 5): the message must not
 * be acknowledged, the sender must keep it, and its retry must be shown once the file can be
 * written again. Real sockets on 127.0.0.1; the file is replaced by a folder mid-run, which
 * fails the append even for root (who may write to a read-only folder).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import type { ParleyNode } from '../../src/node/node.js';
import { memoryStore } from '../../src/store/memory.js';
import { createSeenFile } from '../../src/store/seen-file.js';
import { directoryOf, LOCALHOST, startNode } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const running: ParleyNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('a failed append: not acknowledged, an internal error event; the retry is shown once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-seen-net-'));
  dirs.push(dir);
  const seen = join(dir, 'seen-bob');
  const bob = await startNode({
    name: 'bob',
    ports: { store: memoryStore({ dedupe: createSeenFile(seen) }) },
  });
  const alice = await startNode({ name: 'alice', listen: false });
  running.push(bob, alice);
  bob.setDirectory(directoryOf([{ username: 'alice', password: SECRET, port: 1 }]));
  const toBob = { username: 'bob', host: LOCALHOST, port: bob.port, secret: SECRET };
  const shown: string[] = [];
  bob.received$.subscribe((m) => shown.push(m.text));

  // The file becomes a folder: every append now fails.
  rmSync(seen);
  mkdirSync(seen);
  const internal = firstValueFrom(bob.events$.pipe(filter((e) => e.kind === 'error')));
  const first = await firstValueFrom(alice.send({ to: toBob, text: 'do not lose me' }));
  expect(first.outcome).not.toBe('delivered');
  expect(first).toMatchObject({ failure: { cause: 'peer_error', code: 'internal' } });
  expect(alice.outbox().map((e) => e.job.msgId)).toEqual([first.msgId]);
  expect(await internal).toMatchObject({ kind: 'error', code: 'internal' });
  expect((await internal).kind === 'error' && (await internal).message).toContain(
    `cannot record a message id in ${seen}`,
  );
  expect(shown).toEqual([]);

  // Still failing: the retry is not delivered either (before the fix it was "delivered").
  const again = await firstValueFrom(alice.retry(first.msgId));
  expect(again.outcome).not.toBe('delivered');
  expect(shown).toEqual([]);

  // The file can be written again: the retry is delivered and shown, once.
  rmSync(seen, { recursive: true });
  const third = await firstValueFrom(alice.retry(first.msgId));
  expect(third).toMatchObject({ outcome: 'delivered', msgId: first.msgId });
  expect(shown).toEqual(['do not lose me']);
  expect(readFileSync(seen, 'utf8')).toContain(first.msgId);
  expect(alice.outbox()).toEqual([]);
});

/**
 * A library user's `deliver` over real sockets: the sender hears "delivered" only once the
 * handler has finished with the message; a handler that fails means no ack (the sender keeps
 * it), an error event on our side, no `received` event, and the retry is handed over again.
 */
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../src/actors/types.js';
import type { ParleyNode } from '../../src/node/node.js';
import { directoryOf, LOCALHOST, startNode } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const NO_RETRY_BY_ITSELF = { firstMs: 600_000, maxMs: 600_000 };
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

describe('a node given `deliver`', () => {
  it('acks only once the handler finished; it sees the message before the sender hears', async () => {
    const order: string[] = [];
    const bob = await startNode({
      name: 'bob',
      deliver: async (m: ReceivedMessage) => {
        order.push(`handler got ${m.text}`);
        await new Promise((r) => setTimeout(r, 50));
        order.push('handler done');
      },
    });
    nodes.push(bob);
    bob.setDirectory(directoryOf([{ username: 'alice', password: SECRET, port: 1 }]));
    const alice = await startNode({ name: 'alice' });
    nodes.push(alice);
    const toBob = { username: 'bob', host: LOCALHOST, port: bob.port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to: toBob, text: 'hi' }));
    order.push(report.outcome);
    expect(order).toEqual(['handler got hi', 'handler done', 'delivered']);
  });

  it('a handler that fails: no ack, an error event, no received event; the retry is handed over', async () => {
    let failing = true;
    const handed: string[] = [];
    const bob = await startNode({
      name: 'bob',
      deliver: (m: ReceivedMessage) => {
        handed.push(m.msgId);
        return failing ? Promise.reject(new Error('disk full')) : Promise.resolve();
      },
    });
    nodes.push(bob);
    bob.setDirectory(directoryOf([{ username: 'alice', password: SECRET, port: 1 }]));
    const received: string[] = [];
    bob.received$.subscribe((m) => received.push(m.msgId));
    const error = firstValueFrom(bob.events$.pipe(filter((e) => e.kind === 'error')));
    const alice = await startNode({ name: 'alice', retry: NO_RETRY_BY_ITSELF });
    nodes.push(alice);
    const toBob = { username: 'bob', host: LOCALHOST, port: bob.port, secret: SECRET };

    const report = await firstValueFrom(alice.send({ to: toBob, text: 'keep me' }));
    expect(report.outcome).not.toBe('delivered');
    expect(report).toMatchObject({ failure: { cause: 'peer_error', code: 'internal' } });
    expect(await error).toEqual({
      kind: 'error',
      code: 'internal',
      message:
        `a message from alice (msg_id ${report.msgId}) could not be handed over (disk full); ` +
        'it was not acknowledged, so its sender keeps it and tries again',
    });
    expect(received).toEqual([]);
    expect(alice.outbox().map((e) => e.job.msgId)).toEqual([report.msgId]);

    failing = false;
    const retried = await firstValueFrom(alice.retry(report.msgId));
    expect(retried).toMatchObject({ outcome: 'delivered', msgId: report.msgId });
    expect(handed).toEqual([report.msgId, report.msgId]);
    expect(received).toEqual([report.msgId]);
  });
});

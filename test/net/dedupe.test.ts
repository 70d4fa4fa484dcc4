/**
 * The receiver's memory of messages is keyed by (authenticated sender, msg_id): the id travels
 * in clear, so one contact reusing another's id must not silence that other's message (issue:
 * a contact on the path held alice's frame, sent its own with the same id, and bob then
 * logged alice's as "seen before" while alice was told "delivered").
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import type { ParleyNode } from '../../src/node/node.js';
import { directoryOf, LOCALHOST, nextReceived, startNode } from '../support/nodes.js';

const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

it('a message id another contact used first is still shown once for its real sender', async () => {
  const bob = await startNode({ name: 'bob' });
  const alice = await startNode({ name: 'alice', listen: false });
  const carol = await startNode({ name: 'carol', listen: false });
  nodes.push(bob, alice, carol);
  bob.setDirectory(
    directoryOf([
      { username: 'alice', password: 'alice and bob', port: 1 },
      { username: 'carol', password: 'carol and bob', port: 2 },
    ]),
  );
  const msgId = '6f9619ff-8b86-4d11-b42d-00c04fc964ff';
  const to = (secret: string) => ({ username: 'bob', host: LOCALHOST, port: bob.port, secret });

  const shown = nextReceived(bob, 2);
  const fromCarol = await firstValueFrom(
    carol.send({ to: to('carol and bob'), text: 'carol, reusing the id', msgId }),
  );
  const fromAlice = await firstValueFrom(
    alice.send({ to: to('alice and bob'), text: 'alice, the real one', msgId }),
  );
  expect([fromCarol.outcome, fromAlice.outcome]).toEqual(['delivered', 'delivered']);
  expect((await shown).map((m) => [m.from, m.text])).toEqual([
    ['carol', 'carol, reusing the id'],
    ['alice', 'alice, the real one'],
  ]);
});

it('the same sender repeating its id is still a duplicate: acknowledged, shown once', async () => {
  const bob = await startNode({ name: 'bob' });
  const alice = await startNode({ name: 'alice', listen: false });
  nodes.push(bob, alice);
  bob.setDirectory(directoryOf([{ username: 'alice', password: 'alice and bob', port: 1 }]));
  const msgId = '6f9619ff-8b86-4d11-b42d-00c04fc964fe';
  const to = { username: 'bob', host: LOCALHOST, port: bob.port, secret: 'alice and bob' };
  const shown: string[] = [];
  bob.received$.subscribe((m) => shown.push(m.text));
  const first = await firstValueFrom(alice.send({ to, text: 'once', msgId }));
  const again = await firstValueFrom(alice.send({ to, text: 'once', msgId }));
  expect([first.outcome, again.outcome]).toEqual(['delivered', 'delivered']);
  expect(shown).toEqual(['once']);
});

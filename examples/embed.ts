/**
 * Embedding parley in a reactive app: two nodes in one process, alice says hello to bob.
 * Everything is an observable: received messages, delivery reports, the whole event stream.
 *
 * In your own project, import from 'parley' exactly as here.
 */

import { createNode, type DeliveryReport, parseDirectory, type ReceivedMessage } from 'parley';
import { firstValueFrom, take } from 'rxjs';

export const runExample = async (): Promise<{
  report: DeliveryReport;
  received: ReceivedMessage;
}> => {
  const secret = 'correct horse battery staple';
  // Port 0: let the system pick free ports.
  const bob = await createNode({ name: 'bob', port: 0, host: '127.0.0.1', group: 'x25519' });
  const alice = await createNode({ name: 'alice', port: 0, host: '127.0.0.1', group: 'x25519' });
  bob.setDirectory(
    parseContacts([{ username: 'alice', password: secret, port: alice.port, ip: '127.0.0.1' }]),
  );

  const received = firstValueFrom(bob.received$.pipe(take(1)));
  const report = await firstValueFrom(
    alice.send({
      to: { username: 'bob', host: '127.0.0.1', port: bob.port, secret },
      text: 'Hello from an embedded parley node',
    }),
  );
  const message = await received;
  await Promise.all([alice.close(), bob.close()]);
  return { report, received: message };
};

/** Contacts go through the same checks as a directory file. */
const parseContacts = (entries: unknown[]) => {
  const parsed = parseDirectory(JSON.stringify(entries), 'contacts');
  if (parsed._tag === 'Left') throw new Error(parsed.left.message);
  return parsed.right;
};

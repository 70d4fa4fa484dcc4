import { expect, it } from 'vitest';
import { runExample } from '../../examples/embed.js';

it('the embedding example runs: bob receives, alice gets a verified delivery', async () => {
  const { report, received } = await runExample();
  expect(report).toMatchObject({ outcome: 'delivered', peer: 'bob' });
  expect(received).toMatchObject({
    from: 'alice',
    to: 'bob',
    text: 'Hello from an embedded parley node',
  });
  expect(report.msgId).toBe(received.msgId);
});

import { expect, it } from 'vitest';
import { runComposeExample } from '../../examples/compose.js';

it('the cold pipeline composes with another app: its stream becomes jobs, all delivered', async () => {
  const seen = await runComposeExample(['hello', 'this is a reactive app']);
  expect(seen.filter((s) => 'bobShowed' in s)).toEqual([
    { bobShowed: 'hello' },
    { bobShowed: 'this is a reactive app' },
  ]);
  expect(seen.filter((s) => 'aliceGot' in s)).toEqual([
    { aliceGot: 'delivered' },
    { aliceGot: 'delivered' },
  ]);
  // Each message is shown before its sender hears "delivered" (bob shows, then acks).
  expect(seen.findIndex((s) => 'bobShowed' in s)).toBeLessThan(
    seen.findIndex((s) => 'aliceGot' in s),
  );
});

it('a text the codecs refuse is said with its reason, never dropped in silence (issue 22.5)', async () => {
  await expect(runComposeExample(['x'.repeat(70_000)])).rejects.toThrow(
    /^not sent: the message is 70,000 bytes/,
  );
});

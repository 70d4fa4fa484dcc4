/**
 * The fast order between two real nodes on 127.0.0.1, through a proxy that reads every line:
 * alice offers it, bob takes it, and the frames go in the order of the contract for each group;
 * with the offer removed on the path both fall back to lock-step and still deliver.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy } from '../hostile/support/proxy.js';
import { SECRET, scene } from '../hostile/support/scene.js';
import { LOCALHOST, tracker } from '../hostile/support/wire.js';

const track = tracker();
const { setUp, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

const typesOf = (log: { seen: { direction: string }; line: string }[], direction: string) =>
  log.filter((l) => l.seen.direction === direction).map((l) => JSON.parse(l.line).type as string);

describe('the fast order over sockets', () => {
  it.each([
    ['cpace-ristretto255', ['hello', 'dh', 'auth', 'message'], ['hello', 'dh', 'auth', 'ack']],
    ['x25519', ['hello', 'dh', 'auth', 'message'], ['hello', 'dh', 'auth', 'ack']],
  ] as const)('%s: offered, taken, delivered', async (group, toBob, toAlice) => {
    const { bob, alice } = await setUp();
    const proxy = await startProxy(track, bob.port);
    const to = { username: 'bob', host: LOCALHOST, port: proxy.port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to, text: 'fast', group }));
    expect(report.outcome).toBe('delivered');
    const hellos = proxy.log.filter((l) => l.line.includes('"type":"hello"'));
    expect(hellos.map((l) => JSON.parse(l.line).group)).toEqual([group, group]);
    expect(typesOf(proxy.log, 'toResponder')).toEqual(toBob);
    expect(typesOf(proxy.log, 'toInitiator')).toEqual(toAlice);
  });

  it('the offer removed on the path: lock-step both ways, delivered', async () => {
    const { bob, alice } = await setUp();
    const proxy = await startProxy(track, bob.port, (line) =>
      line.includes('"type":"hello"') ? line.replace(/,"group":"[^"]*"/, '') : line,
    );
    const to = { username: 'bob', host: LOCALHOST, port: proxy.port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to, text: 'slow', group: 'x25519' }));
    expect(report.outcome).toBe('delivered');
    expect(proxy.log.some((l) => l.line.includes('"group":"x25519","public"'))).toBe(true);
    const hellos = proxy.log.filter((l) => l.line.includes('"type":"hello"'));
    // What the proxy read, before it took the offer out: alice offered, bob never echoed.
    expect(hellos.map((l) => JSON.parse(l.line).group)).toEqual(['x25519', undefined]);
  });
});

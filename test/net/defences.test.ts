/**
 * The node's defences with real sockets on 127.0.0.1 (all of 127/8 is loopback, so the
 * attacker binds 127.0.0.5 and the contact 127.0.0.2). Each test also checks that a real
 * contact is still served.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParleyNode } from '../../src/node/node.js';
import { directoryOf, LOCALHOST, startNode } from '../support/nodes.js';
import { helloFrom, type RawPeer, rawPeer } from '../support/raw.js';

const SECRET = 'correct horse battery staple';
const ATTACKER = '127.0.0.5';
const CONTACT = '127.0.0.2';

const nodes: ParleyNode[] = [];
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

/** bob listening with the given options, and alice (on 127.0.0.2) who knows him. */
const setUp = async (
  options: Parameters<typeof startNode>[0] extends infer O ? Partial<O> : never,
) => {
  const bob = await startNode({ name: 'bob', ...options });
  const alice = await startNode({ name: 'alice', localAddress: CONTACT });
  nodes.push(bob, alice);
  bob.setDirectory(directoryOf([{ username: 'alice', password: SECRET, port: alice.port }]));
  const toBob = { username: 'bob', host: LOCALHOST, port: bob.port, secret: SECRET };
  const contactDelivers = async () =>
    expect(await firstValueFrom(alice.send({ to: toBob, text: 'still there?' }))).toMatchObject({
      outcome: 'delivered',
    });
  return { bob, alice, toBob, contactDelivers };
};

const attacker = async (port: number) => {
  const peer = await rawPeer(port, ATTACKER);
  peers.push(peer);
  return peer;
};

describe('defences', () => {
  it('past its share of connections, one address is answered busy; another is served', async () => {
    const { bob, contactDelivers } = await setUp({ maxConnectionsPerAddress: 3 });
    const held = await Promise.all([1, 2, 3].map(() => attacker(bob.port)));
    for (const p of held) p.write(helloFrom('mallory')); // in progress, never finishing
    const fourth = await attacker(bob.port);
    expect(JSON.parse(await fourth.nextLine())).toMatchObject({ type: 'error', code: 'busy' });
    await fourth.closed;
    await contactDelivers();
  });

  it('past the total cap, a newcomer takes the place of the silent one that waited longest', async () => {
    const { bob, contactDelivers } = await setUp({ maxConnections: 2 });
    const held = await Promise.all([1, 2].map(() => attacker(bob.port)));
    held[1]?.write(helloFrom('mallory')); // the second made progress: it said hello
    const third = await attacker(bob.port);
    expect(JSON.parse((await held[0]?.nextLine()) ?? '')).toMatchObject({ code: 'busy' });
    // The contact takes the place of the one that made the least progress: the third.
    await contactDelivers();
    expect(JSON.parse(await third.nextLine())).toMatchObject({ type: 'error', code: 'busy' });
    for (const p of held) p.socket.destroy();
    await Promise.all(held.map((p) => p.closed));
    await new Promise((r) => setTimeout(r, 50));
    await contactDelivers();
  });

  it('a refused peer that is already gone does not stop the node', async () => {
    const { bob, contactDelivers } = await setUp({ maxConnectionsPerAddress: 1 });
    const held = await attacker(bob.port);
    held.write(helloFrom('mallory'));
    // Each is refused (its address has its share) but resets before the answer is written.
    const gone = await Promise.all(Array.from({ length: 20 }, () => attacker(bob.port)));
    for (const peer of gone) peer.socket.resetAndDestroy();
    await Promise.all(gone.map((peer) => peer.closed));
    await new Promise((r) => setTimeout(r, 100));
    await contactDelivers();
  });

  it('repeated wrong passwords from one address are rate_limited; other addresses get through', async () => {
    const { bob, contactDelivers } = await setUp({
      authLimit: { maxFailures: 3, blockMs: 60_000 },
    });
    const guesser = await startNode({ name: 'alice', localAddress: ATTACKER });
    nodes.push(guesser);
    const wrong = { username: 'bob', host: LOCALHOST, port: bob.port, secret: 'guess' };
    for (let i = 0; i < 3; i++) {
      const report = await firstValueFrom(guesser.send({ to: wrong, text: 'x' }));
      expect(report).toMatchObject({ failure: { code: 'auth_failed' } });
    }
    const limited = await firstValueFrom(
      guesser.send({ to: { ...wrong, secret: SECRET }, text: 'x' }),
    );
    expect(limited).toMatchObject({
      outcome: 'not_delivered',
      failure: { cause: 'peer_error', code: 'rate_limited' },
    });
    await contactDelivers();
  });

  it('garbage is answered malformed_frame and closed; the node keeps serving', async () => {
    const { bob, contactDelivers } = await setUp({});
    const peer = await attacker(bob.port);
    peer.write('\u0000\u00ff not json at all\n');
    expect(JSON.parse(await peer.nextLine())).toMatchObject({
      type: 'error',
      code: 'malformed_frame',
    });
    await peer.closed;
    await contactDelivers();
  });

  it('a silent peer is answered timeout at the step deadline and closed', async () => {
    const { bob, contactDelivers } = await setUp({ stepDeadlineMs: 200 });
    const peer = await attacker(bob.port);
    peer.write(helloFrom('alice', 'bob'));
    expect(JSON.parse(await peer.nextLine())).toMatchObject({ type: 'hello', from: 'bob' });
    expect(JSON.parse(await peer.nextLine())).toMatchObject({ type: 'error', code: 'timeout' });
    await peer.closed;
    await contactDelivers();
  });

  it('frames are traced by type and size only, never their contents', async () => {
    const { bob, contactDelivers } = await setUp({ trace: true });
    const frames: unknown[] = [];
    bob.events$.subscribe((e) => {
      if (e.kind === 'frame') frames.push(e);
    });
    await contactDelivers();
    expect(frames.map((f) => (f as { type: string }).type)).toEqual([
      'hello',
      'hello',
      'dh',
      'dh',
      'auth',
      'auth',
      'message',
      'ack',
    ]);
    expect(JSON.stringify(frames)).not.toContain('still there?');
    expect(JSON.stringify(frames)).not.toContain(SECRET);
  });
});

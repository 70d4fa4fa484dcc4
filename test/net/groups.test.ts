/**
 * Choosing the DH group over real sockets: the default is CPace; a contact's directory entry
 * can name another (and then only that one is accepted from it); a peer that refuses the group
 * gets a sentence a person can act on, and nothing is ever sent with another group.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Group } from '../../src/codecs/formats.js';
import type { ParleyNode } from '../../src/node/node.js';
import { rawResponder } from '../hostile/support/speaker.js';
import { rawServer, sleep, tracker } from '../hostile/support/wire.js';
import { directoryOf, LOCALHOST, nextReceived, startNode } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const nodes: ParleyNode[] = [];
const track = tracker();
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await track.cleanUp();
});
const keep = (node: ParleyNode) => {
  nodes.push(node);
  return node;
};

/** alice and bob, each listing the other, with `group` in both entries when given. */
const pair = async (group?: Group) => {
  const alice = keep(await startNode({ name: 'alice' }));
  const bob = keep(await startNode({ name: 'bob' }));
  const pinned = group === undefined ? {} : { group };
  alice.setDirectory(
    directoryOf([{ username: 'bob', password: SECRET, port: bob.port, ...pinned }]),
  );
  bob.setDirectory(
    directoryOf([{ username: 'alice', password: SECRET, port: alice.port, ...pinned }]),
  );
  const toBob = { username: 'bob', host: LOCALHOST, port: bob.port, secret: SECRET, ...pinned };
  return { alice, bob, toBob };
};

/** A raw bob that records every dh frame it is sent, and answers each with `answer`. */
const recordingBob = async (answer: (dh: Record<string, unknown>) => object) => {
  const dhs: Record<string, unknown>[] = [];
  let connections = 0;
  const { port } = await rawServer(track, async (wire) => {
    connections += 1;
    const hello = await wire.next();
    wire.sendFrame(rawResponder('bob', SECRET).hello(hello));
    const dh = await wire.next();
    dhs.push(dh);
    wire.sendFrame(answer(dh));
  });
  return { port, dhs, connections: () => connections };
};

describe('the DH group of a delivery', () => {
  it('is cpace-ristretto255 when nothing names one, and delivers', async () => {
    const seen = await recordingBob(() => ({ type: 'error', code: 'busy', message: 'later' }));
    const alice = keep(await startNode({ name: 'alice' }));
    const to = { username: 'bob', host: LOCALHOST, port: seen.port, secret: SECRET };
    await firstValueFrom(alice.send({ to, text: 'hi' }));
    expect(seen.dhs.map((d) => d.group)).toEqual(['cpace-ristretto255']);

    const { alice: a, bob, toBob } = await pair();
    const received = nextReceived(bob);
    expect(await firstValueFrom(a.send({ to: toBob, text: 'over CPace' }))).toMatchObject({
      outcome: 'delivered',
    });
    expect((await received)[0]).toMatchObject({ from: 'alice', text: 'over CPace' });
  });

  it('is the one the contact entry names: a contact set to modp14 still works', async () => {
    const { alice, bob, toBob } = await pair('modp14');
    const received = nextReceived(bob);
    expect(await firstValueFrom(alice.send({ to: toBob, text: 'over modp14' }))).toMatchObject({
      outcome: 'delivered',
    });
    expect((await received)[0]).toMatchObject({ text: 'over modp14' });
  });

  it('a contact pinned to CPace on bob cannot be made to use x25519', async () => {
    const { alice, toBob } = await pair('cpace-ristretto255');
    const report = await firstValueFrom(
      alice.send({ to: { ...toBob, group: undefined }, text: 'weaker?', group: 'x25519' }),
    );
    expect(report).toMatchObject({
      outcome: 'not_delivered',
      failure: { cause: 'peer_error', code: 'unsupported_group' },
    });
  });
});

describe('a peer that refuses the group', () => {
  const refuse = () => ({
    type: 'error',
    code: 'unsupported_group',
    message: 'supported groups: modp14',
  });

  it('gets a sentence naming the group, the risk and the fix; nothing is resent', async () => {
    const seen = await recordingBob(refuse);
    const alice = keep(await startNode({ name: 'alice' }));
    const to = { username: 'bob', host: LOCALHOST, port: seen.port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to, text: 'hi' }));
    expect(report).toMatchObject({ outcome: 'not_delivered' });
    expect(report.outcome !== 'delivered' && report.reason).toBe(
      'bob does not accept the DH group cpace-ristretto255: it may run an older parley, or be ' +
        'an impostor trying to make us use a weaker group. Nothing was sent with another group. ' +
        'If you trust it to need another one, set "group" in bob\'s directory entry (for ' +
        'example "group": "x25519") or start parley with --group',
    );
    await sleep(300); // room for a fallback, which must not come
    expect(seen.connections()).toBe(1);
    expect(seen.dhs.map((d) => d.group)).toEqual(['cpace-ristretto255']);
  });

  it('for a destination typed by hand, points to --group', async () => {
    const seen = await recordingBob(refuse);
    const alice = keep(await startNode({ name: 'alice', group: 'x25519' }));
    const to = { host: LOCALHOST, port: seen.port, secret: SECRET };
    const report = await firstValueFrom(alice.probe(to));
    expect(report.outcome !== 'online' && report.reason).toMatch(
      /^the peer at 127\.0\.0\.1:\d+ does not accept the DH group x25519: .* start parley with --group \(for example --group modp14\)$/,
    );
    expect(seen.dhs.map((d) => d.group)).toEqual(['x25519']);
  });
});

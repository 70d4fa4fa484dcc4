/**
 * What a waiting message may take from where it waited, on real sockets (issue 20, findings 4
 * and 12): a group written in the outbox file or a handed-in file never weakens the group the
 * contact's directory entry pins; and a peer's unauthenticated `auth_failed` frame does not
 * pause a message (only a proof that fails our own check does).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Group } from '../../src/codecs/formats.js';
import type { NodeOptions, ParleyNode } from '../../src/node/node.js';
import { cryptoRandom } from '../../src/ports/random.js';
import { memoryStore } from '../../src/store/memory.js';
import { createOutboxFile } from '../../src/store/outbox-file.js';
import { handedIn$, handIn } from '../../src/store/outbox-inbox.js';
import { rawResponder } from '../hostile/support/speaker.js';
import { eventually, rawServer, sleep, tracker } from '../hostile/support/wire.js';
import { directoryOf, startNode } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const MSG = '0b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a';
const nodes: ParleyNode[] = [];
const dirs: string[] = [];
const track = tracker();
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await track.cleanUp();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-trust-'));
  dirs.push(dir);
  return dir;
};

const start = async (options: NodeOptions) => {
  const node = await startNode(options);
  nodes.push(node);
  return node;
};

/** A raw bob that records every dh frame it is sent and answers it with `answer`. */
const recordingBob = async (answer: () => object) => {
  const dhs: Record<string, unknown>[] = [];
  const { port } = await rawServer(track, async (wire) => {
    const hello = await wire.next();
    wire.sendFrame(rawResponder('bob', SECRET).hello(hello));
    dhs.push(await wire.next());
    wire.sendFrame(answer());
  });
  return { port, dhs };
};

const busy = () => ({ type: 'error', code: 'busy', message: 'later' });

/** alice, whose directory pins bob to CPace, with `store` as her outbox. */
const alicePinning = (port: number, over: Partial<NodeOptions>) =>
  start({
    name: 'alice',
    listen: false,
    group: 'x25519',
    directory: directoryOf([
      { username: 'bob', password: SECRET, port, group: 'cpace-ristretto255' },
    ]),
    retry: { firstMs: 60_000, maxMs: 60_000 },
    ports: noJitter,
    ...over,
  });

/** Randomness as usual, but no jitter: the retry schedule is exact. */
const noJitter = { random: { ...cryptoRandom(), fraction: () => 0 } };

describe('a stored group never weakens the contact pinned to CPace (finding 4)', () => {
  it('an outbox file that says x25519: the message goes out with cpace-ristretto255', async () => {
    const bob = await recordingBob(busy);
    const path = join(folder(), 'outbox-alice');
    const weakened = {
      msg_id: MSG,
      to: { username: 'bob', host: '127.0.0.1', port: bob.port },
      text: 'for bob only',
      group: 'x25519' satisfies Group,
      attempts: 1,
      paused: false,
    };
    writeFileSync(path, JSON.stringify({ version: 1, messages: [weakened] }), { mode: 0o600 });
    await alicePinning(bob.port, {
      ports: { ...noJitter, store: memoryStore({ outbox: createOutboxFile(path).store }) },
    });
    await eventually(() => bob.dhs.length > 0, 5_000, 'the kept message sent');
    expect(bob.dhs.map((d) => d.group)).toEqual(['cpace-ristretto255']);
  });

  it('a handed-in file that says modp14: the message goes out with cpace-ristretto255', async () => {
    const bob = await recordingBob(busy);
    const dir = folder();
    const inbox = join(dir, 'inbox-alice');
    handIn(inbox, {
      version: 1,
      msg_id: MSG,
      to: { username: 'bob', host: '127.0.0.1', port: bob.port },
      text: 'for bob only',
      group: 'modp14',
      attempts: 1,
      paused: false,
    } as Parameters<typeof handIn>[1]);
    const { store } = createOutboxFile(join(dir, 'outbox-alice'));
    type HandedIn = NonNullable<typeof store.handedIn>;
    const handedIn: HandedIn = (admit, keep) =>
      handedIn$(inbox, () => {}, admit, keep, { pollMs: 50 });
    await alicePinning(bob.port, {
      ports: { ...noJitter, store: memoryStore({ outbox: { ...store, handedIn } }) },
    });
    await eventually(() => bob.dhs.length > 0, 5_000, 'the handed-in message sent');
    expect(bob.dhs.map((d) => d.group)).toEqual(['cpace-ristretto255']);
  });

  it('with no pin, the node default decides, not the file', async () => {
    const bob = await recordingBob(busy);
    const path = join(folder(), 'outbox-alice');
    const stored = {
      msg_id: MSG,
      to: { username: 'bob', host: '127.0.0.1', port: bob.port },
      text: 'hi',
      group: 'x25519' satisfies Group,
      attempts: 1,
      paused: false,
    };
    writeFileSync(path, JSON.stringify({ version: 1, messages: [stored] }), { mode: 0o600 });
    await start({
      name: 'alice',
      listen: false,
      directory: directoryOf([{ username: 'bob', password: SECRET, port: bob.port }]),
      ports: {
        store: memoryStore({ outbox: { ...createOutboxFile(path).store, handedIn: () => EMPTY } }),
      },
    });
    await eventually(() => bob.dhs.length > 0, 5_000, 'the kept message sent');
    expect(bob.dhs.map((d) => d.group)).toEqual(['cpace-ristretto255']);
  });
});

describe('what pauses a waiting message (finding 12)', () => {
  const fast = { firstMs: 100, maxMs: 100 };
  const alice = (port: number) =>
    start({
      name: 'alice',
      listen: false,
      directory: directoryOf([{ username: 'bob', password: SECRET, port }]),
      retry: fast,
      ports: noJitter,
    });
  const toBob = (port: number) => ({ username: 'bob', host: '127.0.0.1', port, secret: SECRET });

  it("a peer's auth_failed error frame (unauthenticated) does not pause it: it is retried on schedule", async () => {
    const bob = await recordingBob(() => ({
      type: 'error',
      code: 'auth_failed',
      message: 'anyone on the path can say this',
    }));
    const a = await alice(bob.port);
    a.send({ to: toBob(bob.port), text: 'not stopped by a forged frame' }).subscribe();
    await eventually(() => bob.dhs.length >= 3, 5_000, 'three tries');
    expect(a.outbox()[0]).toMatchObject({ paused: false });
  });

  it('a proof that fails our own check pauses it', async () => {
    // An impostor that does not know the password: a proper dh, then a proof it made up.
    const dhs: unknown[] = [];
    const { port } = await rawServer(track, async (wire) => {
      const hello = await wire.next();
      const bob = rawResponder('bob', 'not the password');
      wire.sendFrame(bob.hello(hello));
      const dh = await wire.next();
      dhs.push(dh);
      wire.sendFrame(bob.dh(hello, dh).frame);
      await wire.next(); // alice's proof (and, with CPace, her message after it)
      wire.sendFrame({ type: 'auth', proof: 'ab'.repeat(32) });
    });
    const a = await alice(port);
    a.send({ to: toBob(port), text: 'held back from an impostor' }).subscribe();
    await eventually(() => a.outbox().length === 1, 5_000, 'the failed try');
    await sleep(400); // several retry periods
    expect(a.outbox()[0]).toMatchObject({ paused: true, attempts: 1 });
    expect(dhs).toHaveLength(1);
  });
});

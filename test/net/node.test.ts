/**
 * Two parley nodes in one process, on real sockets of 127.0.0.1.
 */
import { createServer } from 'node:net';
import { filter, firstValueFrom, lastValueFrom, merge, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { GROUPS } from '../../src/codecs/formats.js';
import { createNode, NodeStartError, type ParleyNode } from '../../src/node/node.js';
import {
  directoryOf,
  LOCALHOST,
  liveHandles,
  nextReceived,
  startNode,
  startPair,
} from '../support/nodes.js';

const SECRET = 'correct horse battery staple';

const running: ParleyNode[] = [];
const track = <T extends { alice: ParleyNode; bob: ParleyNode }>(pair: T): T => {
  running.push(pair.alice, pair.bob);
  return pair;
};

afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.close()));
});

describe.each(GROUPS)('two nodes over %s', (group) => {
  it('exchange messages both ways, each shown once, with verified delivery', async () => {
    const { alice, bob, toBob, toAlice } = track(await startPair(undefined, { group }));
    const atBob = nextReceived(bob);
    const atAlice = nextReceived(alice);
    const [toBobReport, toAliceReport] = await Promise.all([
      firstValueFrom(alice.send({ to: toBob, text: 'Hello, Bob! Grüße 👋' })),
      firstValueFrom(bob.send({ to: toAlice, text: 'Hi Alice' })),
    ]);
    expect(toBobReport).toMatchObject({ outcome: 'delivered', peer: 'bob' });
    expect(toAliceReport).toMatchObject({ outcome: 'delivered', peer: 'alice' });
    expect((await atBob)[0]).toMatchObject({
      from: 'alice',
      to: 'bob',
      text: 'Hello, Bob! Grüße 👋',
    });
    expect((await atAlice)[0]).toMatchObject({ from: 'bob', to: 'alice', text: 'Hi Alice' });
    expect(alice.outbox()).toEqual([]);
  });

  it('probes presence', async () => {
    const { alice, toBob } = track(await startPair(undefined, { group }));
    expect(await firstValueFrom(alice.probe(toBob))).toMatchObject({
      outcome: 'online',
      peer: 'bob',
    });
  });
});

describe('failures are reports, and the node keeps serving', () => {
  it("a wrong secret: not delivered, told as the peer's unproven word, kept in the outbox", async () => {
    const { alice, bob, toBob } = track(await startPair());
    const report = await firstValueFrom(
      alice.send({ to: { ...toBob, secret: 'wrong' }, text: 'hi' }),
    );
    expect(report).toMatchObject({
      outcome: 'not_delivered',
      failure: { cause: 'peer_error', code: 'auth_failed' },
      reason: `the peer at 127.0.0.1:${bob.port} says the password does not match (auth_failed), which may not be bob: check with bob another way rather than trying other passwords`,
    });
    expect(alice.outbox().map((e) => e.job.msgId)).toEqual([report.msgId]);
    expect(await firstValueFrom(alice.probe({ ...toBob, secret: 'wrong' }))).toMatchObject({
      outcome: 'wrong_password',
    });
    // The node still serves its contacts.
    expect(await firstValueFrom(alice.send({ to: toBob, text: 'again' }))).toMatchObject({
      outcome: 'delivered',
    });
    void bob;
  });

  it('a failed message is kept in the outbox even when nobody waits for its report', async () => {
    const { alice, toBob } = track(await startPair());
    const failed = firstValueFrom(alice.events$.pipe(filter((e) => e.kind === 'delivery')));
    alice
      .send({ to: { ...toBob, secret: 'wrong' }, text: 'keep me' })
      .subscribe()
      .unsubscribe();
    await failed;
    expect(alice.outbox()).toEqual([
      expect.objectContaining({
        job: expect.objectContaining({ text: 'keep me' }),
        report: expect.objectContaining({ outcome: 'not_delivered' }),
      }),
    ]);
  });

  it('a retry keeps the msg_id and delivers once', async () => {
    const { alice, bob, toBob } = track(await startPair());
    const failed = await firstValueFrom(
      alice.send({ to: { ...toBob, secret: 'wrong' }, text: 'retry me' }),
    );
    expect(failed.outcome).toBe('not_delivered');
    // The password is corrected, then the message retried.
    const received = nextReceived(bob);
    const retried = await firstValueFrom(alice.retry(failed.msgId, toBob));
    expect(retried).toMatchObject({ outcome: 'delivered', msgId: failed.msgId });
    expect((await received)[0]).toMatchObject({ msgId: failed.msgId, text: 'retry me' });
    expect(alice.outbox()).toEqual([]);
  });

  it('a peer not listening: "not reachable", with the address', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, LOCALHOST, () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const alice = await startNode({ name: 'alice' });
    running.push(alice);
    const report = await firstValueFrom(
      alice.send({
        to: { username: 'bob', host: LOCALHOST, port: closedPort, secret: 's' },
        text: 'hi',
      }),
    );
    expect(report).toMatchObject({
      outcome: 'not_delivered',
      failure: { cause: 'unreachable', code: 'ECONNREFUSED' },
    });
    expect(report.outcome !== 'delivered' && report.reason).toBe(
      `bob is not reachable at 127.0.0.1:${closedPort}: connection refused by 127.0.0.1:${closedPort}: nothing is listening there; is parley running there?`,
    );
  });

  it('a port already in use: a clear error at start, nothing half-started', async () => {
    const first = await startNode({ name: 'first' });
    running.push(first);
    const attempt = createNode({ name: 'second', host: LOCALHOST, port: first.port });
    await expect(attempt).rejects.toBeInstanceOf(NodeStartError);
    await expect(attempt).rejects.toThrow(
      `port ${first.port} is already in use on 127.0.0.1; choose another with --port`,
    );
  });
});

describe('a bug of ours stays inside its connection', () => {
  it('a throwing step ends that exchange with a report or an event; the node goes on', async () => {
    const { bob, toAlice } = track(await startPair());
    const failing = (): never => {
      throw new Error('boom');
    };
    const alice = await startNode({ name: 'alice', keyPair: failing });
    running.push(alice);
    bob.setDirectory(directoryOf([{ username: 'alice', password: SECRET, port: alice.port }]));
    const toBob = { username: 'bob', host: LOCALHOST, port: bob.port, secret: SECRET };
    // As initiator: the job still ends in one report.
    expect(await firstValueFrom(alice.send({ to: toBob, text: 'hi' }))).toMatchObject({
      outcome: 'not_delivered',
      reason: 'internal error in parley: boom',
    });
    // As responder: an internal error event, the sender told the connection closed.
    const internal = firstValueFrom(alice.events$.pipe(filter((e) => e.kind === 'error')));
    const toAliceHere = { ...toAlice, port: alice.port };
    expect(await firstValueFrom(bob.send({ to: toAliceHere, text: 'hi' }))).toMatchObject({
      outcome: 'not_delivered',
    });
    expect(await internal).toEqual({ kind: 'error', code: 'internal', message: 'boom' });
    // And alice's pipeline is still there to run the next job.
    expect(await firstValueFrom(alice.send({ to: toBob, text: 'again' }))).toMatchObject({
      reason: 'internal error in parley: boom',
    });
  });
});

describe('a node that only sends', () => {
  it('opens no server socket, and still delivers', async () => {
    const { bob, toBob } = track(await startPair());
    const sender = await startNode({ name: 'alice', listen: false });
    running.push(sender);
    expect(sender.port).toBe(0);
    expect(await firstValueFrom(sender.send({ to: toBob, text: 'no ears' }))).toMatchObject({
      outcome: 'delivered',
    });
    void bob;
  });
});

describe('load and shutdown', () => {
  it('200 concurrent sends to one node: all delivered, each exactly once', async () => {
    const { alice, bob, toBob } = track(await startPair(undefined, { group: 'x25519' }));
    const received = nextReceived(bob, 200);
    const reports = await lastValueFrom(
      merge(
        ...Array.from({ length: 200 }, (_, i) => alice.send({ to: toBob, text: `message ${i}` })),
      ).pipe(toArray()),
    );
    expect(reports.filter((r) => r.outcome === 'delivered')).toHaveLength(200);
    const texts = (await received).map((m) => m.text).sort();
    expect(new Set(texts).size).toBe(200);
  });

  it('close() while sends are in flight: each is delivered or reported, and no handle is left', async () => {
    const before = liveHandles().length;
    const { alice, bob, toBob } = await startPair();
    const reports = lastValueFrom(
      merge(...Array.from({ length: 20 }, (_, i) => alice.send({ to: toBob, text: `m${i}` }))).pipe(
        toArray(),
      ),
    );
    const delivered: string[] = [];
    bob.received$.subscribe((m) => delivered.push(m.msgId));
    setTimeout(() => void alice.close(), 5);
    const all = await reports;
    expect(all).toHaveLength(20);
    for (const r of all) {
      if (r.outcome === 'delivered') expect(delivered).toContain(r.msgId);
    }
    await Promise.all([alice.close(), bob.close()]);
    await new Promise((r) => setTimeout(r, 50));
    expect(liveHandles().length).toBeLessThanOrEqual(before);
  });
});

/**
 * Invites on real sockets (issue 19): alice opens an invite, bob joins it with the code; each
 * files the other through its sink (once, with the same 64-hex secret, at the address the
 * connection came from and the port the other's frame said) and can send at once. Wrong
 * codes count down and burn it; an expired, cancelled or spent invite is `no_invite`; two
 * invites at once, a name already filed and a parley/1-only peer each get their sentence.
 */
import { firstValueFrom, lastValueFrom, of, type Subscription, timeout, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContactSink, InviteEvent, JoinedContact } from '../../src/invite/types.js';
import type { ParleyNode } from '../../src/node/node.js';
import { directoryOf, LOCALHOST, nextReceived, startNode } from '../support/nodes.js';

const nodes: ParleyNode[] = [];
const subs: Subscription[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) s.unsubscribe();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

type Filed = JoinedContact & { readonly password: string };

/** A sink that keeps what it was asked to file. */
const recording = () => {
  const filed: Filed[] = [];
  const sink: ContactSink = (contact) => {
    filed.push(contact);
    return of(null);
  };
  return { filed, sink };
};

const start = async (name: string, options: Parameters<typeof startNode>[0] | object = {}) => {
  const node = await startNode({ name, ...options });
  nodes.push(node);
  return node;
};

/** Opens alice's invite; its events as they come, and the code. */
const opened = async (alice: ParleyNode, options = {}) => {
  const events: InviteEvent[] = [];
  let code = '';
  const first = new Promise<void>((resolve) => {
    subs.push(
      alice.invite(options).subscribe((e) => {
        events.push(e);
        if (e.kind === 'open') {
          code = e.code;
          resolve();
        }
      }),
    );
  });
  await first;
  return { events, code };
};

const joined = (bob: ParleyNode, port: number, code: string) =>
  firstValueFrom(bob.join({ host: LOCALHOST, port }, code).pipe(timeout(10_000)));

const until = async (check: () => boolean, what: string) => {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within 5 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('parley-invite/1 between two nodes', () => {
  it('bob joins with the code: both filed with one 64-hex secret, and they talk at once', async () => {
    const a = recording();
    const b = recording();
    const alice = await start('alice', { fileContact: a.sink });
    const bob = await start('bob', { fileContact: b.sink });
    const invite = await opened(alice);
    expect(invite.code).toMatch(/^\d{1,3}-[a-z]+-[a-z]+$/);
    const result = await joined(bob, alice.port, invite.code);
    expect(result).toEqual({
      kind: 'joined',
      contact: { username: 'alice', ip: LOCALHOST, port: alice.port },
    });
    await until(() => invite.events.some((e) => e.kind === 'joined'), 'alice hears bob joined');
    expect(invite.events.at(-1)).toEqual({
      kind: 'joined',
      contact: { username: 'bob', ip: LOCALHOST, port: bob.port },
    });
    expect(a.filed).toHaveLength(1);
    expect(b.filed).toHaveLength(1);
    expect(a.filed[0]!.password).toMatch(/^[0-9a-f]{64}$/);
    expect(a.filed[0]!.password).toBe(b.filed[0]!.password);
    expect(a.filed[0]).toMatchObject({ username: 'bob', port: bob.port });
    expect(b.filed[0]).toMatchObject({ username: 'alice', port: alice.port });
    // In both nodes' contacts now: a send by name goes at once, both ways.
    const got = nextReceived(alice);
    const sent = await firstValueFrom(bob.send({ to: 'alice', text: 'hello alice' }));
    expect(sent.outcome).toBe('delivered');
    expect((await got)[0]!.text).toBe('hello alice');
    const back = nextReceived(bob);
    expect((await firstValueFrom(alice.send({ to: 'bob', text: 'hello bob' }))).outcome).toBe(
      'delivered',
    );
    expect((await back)[0]!.text).toBe('hello bob');
    // Spent: the same code again finds no invite.
    const again = await joined(await start('carol'), alice.port, invite.code);
    expect(again).toMatchObject({ kind: 'failed', code: 'no_invite' });
  });

  it('three wrong codes: two counted down, the third burns it; the right code then finds none', async () => {
    const a = recording();
    const alice = await start('alice', { fileContact: a.sink });
    const bob = await start('bob');
    const invite = await opened(alice);
    const wrong = invite.code === '1-abandon-abandon' ? '2-abandon-abandon' : '1-abandon-abandon';
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await joined(bob, alice.port, wrong));
    expect(outcomes.map((o) => (o.kind === 'failed' ? o.code : o.kind))).toEqual([
      'wrong_code',
      'wrong_code',
      'burnt',
    ]);
    expect(outcomes[0]).toMatchObject({ message: 'wrong code: 2 attempts left' });
    await until(() => invite.events.some((e) => e.kind === 'burnt'), 'alice hears it burnt');
    expect(invite.events.map((e) => e.kind)).toEqual(['open', 'wrong_code', 'wrong_code', 'burnt']);
    expect(invite.events.at(-1)).toEqual({ kind: 'burnt', wrongAttempts: 3 });
    expect(invite.events[1]).toMatchObject({ attemptsLeft: 2, remote: LOCALHOST });
    expect(await joined(bob, alice.port, invite.code)).toMatchObject({ code: 'no_invite' });
    expect(a.filed).toEqual([]);
  });

  it('expired, or cancelled by unsubscribing: the right code is no_invite', async () => {
    const alice = await start('alice');
    const bob = await start('bob');
    const events = await lastValueFrom(alice.invite({ expiresInMs: 200 }).pipe(toArray()));
    expect(events.map((e) => e.kind)).toEqual(['open', 'expired']);
    const code = (events[0] as Extract<InviteEvent, { kind: 'open' }>).code;
    expect(await joined(bob, alice.port, code)).toMatchObject({ code: 'no_invite' });
    const second = await opened(alice);
    subs.pop()!.unsubscribe();
    expect(await joined(bob, alice.port, second.code)).toMatchObject({ code: 'no_invite' });
  });

  it('two invites at once are refused; a name already filed is name_taken (told once the code is proved)', async () => {
    const alice = await start('alice', {
      directory: directoryOf([{ username: 'bob', password: 'x'.repeat(20), port: 9 }]),
    });
    const bob = await start('bob');
    const invite = await opened(alice);
    const second = await firstValueFrom(alice.invite());
    expect(second).toMatchObject({ kind: 'failed', code: 'invite_open' });
    // Without the code, nothing tells that bob is a contact: a wrong code is only wrong.
    const guess = invite.code === '1-abandon-abandon' ? '2-abandon-abandon' : '1-abandon-abandon';
    expect(await joined(bob, alice.port, guess)).toMatchObject({ code: 'wrong_code' });
    expect(await joined(bob, alice.port, invite.code)).toMatchObject({ code: 'name_taken' });
    await until(() => invite.events.some((e) => e.kind === 'refused'), 'alice hears of it');
    expect(invite.events.at(-1)).toMatchObject({
      kind: 'refused',
      code: 'name_taken',
      username: 'bob',
    });
  });

  it("bob already has a contact named alice: his join files nothing, says so, and alice's invite stays open", async () => {
    const a = recording();
    const b = recording();
    const alice = await start('alice', { fileContact: a.sink });
    const bob = await start('bob', {
      fileContact: b.sink,
      directory: directoryOf([{ username: 'alice', password: 'y'.repeat(20), port: 9 }]),
    });
    const invite = await opened(alice);
    expect(await joined(bob, alice.port, invite.code)).toEqual({
      kind: 'failed',
      code: 'file_failed',
      message: 'you already have a contact named alice',
    });
    expect(b.filed).toEqual([]);
    expect(a.filed).toEqual([]);
    const carol = await start('carol');
    expect(await joined(carol, alice.port, invite.code)).toMatchObject({ kind: 'joined' });
  });

  it('closing the node ends its open invite, cancelled, and the node closes at once', async () => {
    const alice = await startNode({ name: 'alice' });
    const events = lastValueFrom(alice.invite().pipe(toArray()));
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await alice.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await events).map((e) => e.kind)).toEqual(['open', 'cancelled']);
  });

  it('a bad code is refused before connecting, with the sentence parseCode gives', async () => {
    const bob = await start('bob');
    const result = await joined(bob, 9, 'seven crater');
    expect(result).toMatchObject({ kind: 'failed' });
    expect(result.kind === 'failed' && result.message).toMatch(/3 parts|number from 1 to 100/);
  });
});

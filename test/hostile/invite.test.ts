/**
 * Hostile peers against parley-invite/1 (issue 19), on real sockets of 127.0.0.1. Alice opens
 * an invite; carol, her contact (127.0.0.2), checks that alice still serves parley/1; bob
 * (127.0.0.3) is the real joiner; the attackers dial from addresses of their own. A joiner
 * that falls silent holds the invite only until its deadline; garbage and frames out of order
 * are answered with an error and a close, and file nothing; wrong codes burn the invite and
 * count as guesses for the guard; a crowd of joiners burns it once; a sink that cannot file
 * ends the exchange without the secret ever being told.
 */
import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import {
  filter,
  firstValueFrom,
  type Observable,
  of,
  type Subscription,
  throwError,
  timeout,
} from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { establishInvite, INVITE_GROUP, inviteBinding } from '../../src/actors/invite-common.js';
import { BURNT_MESSAGE } from '../../src/actors/invite-inviter.js';
import { RATE_LIMITED } from '../../src/actors/responder-charges.js';
import type { Nonce, Username } from '../../src/codecs/formats.js';
import { createKeyPair, type DhKeyPair } from '../../src/crypto/dh.js';
import { inviteProof, joinedMac, joinMac } from '../../src/invite/schedule.js';
import type {
  ContactSink,
  InviteEvent,
  InviteOptions,
  JoinEvent,
  JoinedContact,
} from '../../src/invite/types.js';
import { MAX_FRAME_BYTES } from '../../src/limits.js';
import type { NodeEvent, NodeOptions, ParleyNode } from '../../src/node/node.js';
import { directoryOf, startNode } from '../support/nodes.js';
import { SECRET } from './support/scene.js';
import {
  ATTACKER,
  CONTACT,
  dial,
  eventually,
  LOCALHOST,
  tracker,
  type Wire,
  within,
} from './support/wire.js';

const track = tracker();
const nodes: ParleyNode[] = [];
const subs: Subscription[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) s.unsubscribe();
  await track.cleanUp();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

/** The real joiner's address (the attackers have others). */
const JOINER = '127.0.0.3';
/** What alice says to a joiner while another holds the invite (src/node/invite-desk.ts). */
const BUSY_SENTENCE = 'someone else is joining with this invite right now; try again in a minute';
const NO_INVITE_SENTENCE = 'no invite is open here (it may have expired, been used or cancelled)';
const EACCES = 'EACCES: directory file not writable';
/** Every wait on a join or a send is bounded by this. */
const WAIT_MS = 10_000;

type Filed = JoinedContact & { readonly password: string };

const start = async (options: NodeOptions) => {
  const node = await startNode(options);
  nodes.push(node);
  return node;
};

/** A sink that keeps what it was asked to file, and files it. */
const recording = () => {
  const filed: Filed[] = [];
  const sink: ContactSink = (contact) => {
    filed.push(contact);
    return of(null);
  };
  return { filed, sink };
};

/** A sink that is asked (and keeps what), and fails as a read-only directory file would. */
const failing = () => {
  const asked: Filed[] = [];
  const sink: ContactSink = (contact): Observable<unknown> => {
    asked.push(contact);
    return throwError(() => new Error(EACCES));
  };
  return { asked, sink };
};

/**
 * Alice on 127.0.0.1 (her sink recording unless one is given), everything her node says kept
 * in `told`; carol her contact, dialling from 127.0.0.2. `carolDelivers` is the question a
 * test ends on: does alice still take a parley/1 message from a contact?
 */
const inviter = async (options: Partial<NodeOptions> = {}) => {
  const record = recording();
  const alice = await start({ name: 'alice', fileContact: record.sink, ...options });
  const told: NodeEvent[] = [];
  subs.push(alice.events$.subscribe((e) => told.push(e)));
  const carol = await start({ name: 'carol', localAddress: CONTACT });
  alice.setDirectory(
    directoryOf([{ username: 'carol', password: SECRET, port: carol.port, ip: CONTACT }]),
  );
  const toAlice = { username: 'alice', host: LOCALHOST, port: alice.port, secret: SECRET };
  let sent = 0;
  const carolDelivers = async () => {
    const text = `still there? (${++sent})`;
    const got = firstValueFrom(
      alice.received$.pipe(
        filter((m) => m.text === text),
        timeout(WAIT_MS),
      ),
    );
    const report = await firstValueFrom(carol.send({ to: toAlice, text }).pipe(timeout(WAIT_MS)));
    expect(report).toMatchObject({ outcome: 'delivered' });
    expect(await got).toMatchObject({ from: 'carol', text });
  };
  return { alice, filed: record.filed, told, carolDelivers };
};

/** Opens an invite on `node`: its events as they come, and the code. */
const openInvite = async (node: ParleyNode, options: InviteOptions = {}) => {
  const events: InviteEvent[] = [];
  const sub = node.invite(options).subscribe((e) => events.push(e));
  subs.push(sub);
  await eventually(() => events.length > 0, 5_000, 'the invite opens');
  const first = events[0]!;
  if (first.kind !== 'open') throw new Error(`no invite opened: ${JSON.stringify(first)}`);
  return { events, code: first.code, sub };
};

const joinWith = (node: ParleyNode, port: number, code: string): Promise<JoinEvent> =>
  firstValueFrom(node.join({ host: LOCALHOST, port }, code).pipe(timeout(WAIT_MS)));

/** A well-formed code that is not `code`. */
const wrongFor = (code: string) =>
  code === '1-abandon-abandon' ? '2-abandon-abandon' : '1-abandon-abandon';

const kinds = (events: readonly InviteEvent[]) => events.map((e) => e.kind);

const nonceHex = () => randomBytes(16).toString('hex');

type Json = Record<string, unknown>;

/**
 * A joiner spoken by hand (src/actors' own CPace and MACs, nothing else): its invite hello up
 * front; its dh once the inviter's hello came; then whichever frames a test chooses to send.
 */
const rawJoiner = (self: string, code: string) => {
  const nonce = nonceHex();
  let made: DhKeyPair | undefined;
  const keyPairFor = (peer: Json): DhKeyPair => {
    made ??= createKeyPair(
      INVITE_GROUP,
      inviteBinding(
        code,
        { name: self as Username, nonce: nonce as Nonce },
        { name: peer.from as Username, nonce: peer.nonce as Nonce },
      ),
    );
    return made;
  };
  const session = (peer: Json, peerDh: Json) => {
    const s = establishInvite(
      'initiator',
      keyPairFor(peer),
      { name: self as Username, nonce: nonce as Nonce },
      {
        name: peer.from as Username,
        nonce: peer.nonce as Nonce,
        publicHex: peerDh.public as string,
      },
      code,
    );
    if (E.isLeft(s)) throw new Error(`test joiner: ${s.left.message}`);
    return s.right;
  };
  return {
    hello: { type: 'hello', version: 1, from: self, to: null, nonce, invite: 1 },
    dh: (peer: Json) => ({ type: 'dh', group: INVITE_GROUP, public: keyPairFor(peer).publicHex }),
    session,
  };
};
type RawJoiner = ReturnType<typeof rawJoiner>;

/** Dial from `from`, say the invite hello; alice's hello and dh, which she sends in one go. */
const helloed = async (port: number, from: string, me: RawJoiner) => {
  const wire = await dial(track, port, from);
  wire.sendFrame(me.hello);
  const hello = await wire.next();
  expect(hello).toMatchObject({ type: 'hello', from: 'alice', to: me.hello.from, invite: 1 });
  const dh = await wire.next();
  expect(dh).toMatchObject({ type: 'dh', group: INVITE_GROUP });
  return { wire, hello, dh };
};

/** Alice's answer, and her close after it (her FIN, not ours). */
const answerThenClose = async (wire: Wire) => {
  const answer = await wire.next();
  await eventually(() => wire.endedAt() !== undefined, 5_000, 'alice closes after her answer');
  await within(wire.closed, 5_000, 'the connection closed');
  return answer;
};

describe('parley-invite/1 against hostile joiners', () => {
  it('a joiner that says its invite hello and falls silent holds the invite only until its step deadline: a real joiner is busy meanwhile, then joins', async () => {
    const DEADLINE_MS = 1_000;
    const { alice, filed } = await inviter({
      stepDeadlineMs: DEADLINE_MS,
      helloDeadlineMs: DEADLINE_MS,
    });
    // One wrong code burns it: had the silent one been counted, bob would find no invite.
    const invite = await openInvite(alice, { maxWrongAttempts: 1 });
    const bob = await start({ name: 'bob', localAddress: JOINER });

    const silent = await dial(track, alice.port, ATTACKER, { halfOpen: true });
    silent.sendFrame({
      type: 'hello',
      version: 1,
      from: 'mallory',
      to: null,
      nonce: nonceHex(),
      invite: 1,
    });
    expect(await silent.next()).toMatchObject({ type: 'hello', to: 'mallory', invite: 1 });
    expect(await silent.next()).toMatchObject({ type: 'dh', group: INVITE_GROUP });

    // mallory holds the invite: bob, with the right code, is told someone else is joining.
    const busy = await joinWith(bob, alice.port, invite.code);
    expect(silent.endedAt()).toBeUndefined(); // (still held when bob was answered)
    // Told as busy, with the inviter's sentence: bob's code was not tried.
    expect(busy).toEqual({ kind: 'failed', code: 'busy', message: BUSY_SENTENCE });
    await eventually(() => invite.events.length >= 2, 5_000, 'alice hears of bob refused');
    expect(invite.events[1]).toEqual({
      kind: 'refused',
      code: 'busy',
      username: 'bob',
      remote: JOINER,
      message: BUSY_SENTENCE,
    });

    // At its deadline mallory is let go, with a timeout, and the invite with it.
    expect(await silent.next(DEADLINE_MS + 3_000)).toMatchObject({
      type: 'error',
      code: 'timeout',
    });
    await eventually(() => silent.endedAt() !== undefined, 3_000, 'alice closes on mallory');

    const result = await joinWith(bob, alice.port, invite.code);
    expect(result).toEqual({
      kind: 'joined',
      contact: { username: 'alice', ip: LOCALHOST, port: alice.port },
    });
    await eventually(() => invite.events.some((e) => e.kind === 'joined'), 5_000, 'bob joined');
    expect(kinds(invite.events)).toEqual(['open', 'refused', 'joined']);
    expect(filed).toHaveLength(1);
    expect(filed[0]).toMatchObject({ username: 'bob', ip: JOINER, port: bob.port });
  });

  it('garbage, an oversized line and frames out of order after an invite hello: an error and a close each, nothing filed, alice serves on and the invite still works', async () => {
    const { alice, filed, told, carolDelivers } = await inviter();
    const invite = await openInvite(alice);
    const cases: {
      readonly what: string;
      readonly code: string;
      readonly act: (wire: Wire, me: RawJoiner, hello: Json, dh: Json) => void;
    }[] = [
      {
        what: 'a line that is not JSON',
        code: 'malformed_frame',
        act: (wire) => wire.socket.write('{"type":"dh", this is not json\n'),
      },
      {
        what: 'a line over the frame limit',
        code: 'frame_too_large',
        act: (wire) => wire.socket.write(`${'x'.repeat(MAX_FRAME_BYTES + 16)}\n`),
      },
      {
        what: 'a join before its auth (the right code, the right MAC)',
        code: 'unexpected_frame',
        act: (wire, me, hello, dh) => {
          wire.sendFrame(me.dh(hello));
          const { keys, th } = me.session(hello, dh);
          wire.sendFrame({ type: 'join', port: 5002, hmac: joinMac(keys, th, 5002) });
        },
      },
      {
        what: 'a joined before the welcome (the code proved, no join)',
        code: 'unexpected_frame',
        act: (wire, me, hello, dh) => {
          wire.sendFrame(me.dh(hello));
          const { keys, th } = me.session(hello, dh);
          wire.sendFrame({ type: 'auth', proof: inviteProof(keys, th, 'initiator') });
          wire.sendFrame({ type: 'joined', hmac: joinedMac(keys, th) });
        },
      },
      {
        what: "a welcome, which is the inviter's to send",
        code: 'unexpected_frame',
        act: (wire) =>
          wire.sendFrame({
            type: 'welcome',
            port: 5002,
            secret: randomBytes(48).toString('base64'),
            hmac: '0'.repeat(64),
          }),
      },
      {
        what: 'a second invite hello',
        code: 'unexpected_frame',
        act: (wire, me) => wire.sendFrame(me.hello),
      },
    ];
    const answers: Record<string, unknown>[] = [];
    for (const [i, c] of cases.entries()) {
      // Each from an address and a name of its own: what one costs the guard is not the point.
      const me = rawJoiner(`mallory${i}`, invite.code);
      const { wire, hello, dh } = await helloed(alice.port, `127.0.0.${20 + i}`, me);
      c.act(wire, me, hello, dh);
      answers.push(await answerThenClose(wire));
    }
    expect(answers.map((a) => [a.type, a.code])).toEqual(cases.map((c) => ['error', c.code]));

    expect(filed).toEqual([]);
    expect(kinds(invite.events)).toEqual(['open']);
    expect(told.filter((e) => e.kind === 'error')).toEqual([]);
    await carolDelivers();
    const bob = await start({ name: 'bob', localAddress: JOINER });
    expect(await joinWith(bob, alice.port, invite.code)).toMatchObject({ kind: 'joined' });
    await eventually(() => filed.length === 1, 5_000, 'alice files bob');
    expect(filed[0]).toMatchObject({ username: 'bob', ip: JOINER, port: bob.port });
    expect(kinds(invite.events)).toEqual(['open', 'joined']);
  });

  it('three wrong codes burn the invite (two counted down, the third burnt); the right code then finds no invite', async () => {
    const { alice, filed } = await inviter();
    const invite = await openInvite(alice, { maxWrongAttempts: 3 });
    const mallory = await start({ name: 'mallory', localAddress: ATTACKER });
    const wrong = wrongFor(invite.code);
    const outcomes: JoinEvent[] = [];
    for (let i = 0; i < 3; i++) outcomes.push(await joinWith(mallory, alice.port, wrong));
    expect(outcomes).toEqual([
      { kind: 'failed', code: 'wrong_code', message: 'wrong code: 2 attempts left' },
      { kind: 'failed', code: 'wrong_code', message: 'wrong code: 1 attempt left' },
      { kind: 'failed', code: 'burnt', message: BURNT_MESSAGE },
    ]);
    const fourth = await joinWith(mallory, alice.port, invite.code);
    expect(fourth).toEqual({ kind: 'failed', code: 'no_invite', message: NO_INVITE_SENTENCE });
    const bob = await start({ name: 'bob', localAddress: JOINER });
    expect(await joinWith(bob, alice.port, invite.code)).toMatchObject({ code: 'no_invite' });
    expect(kinds(invite.events)).toEqual(['open', 'wrong_code', 'wrong_code', 'burnt']);
    expect(invite.events[3]).toEqual({ kind: 'burnt', wrongAttempts: 3 });
    expect(invite.events.slice(1, 3)).toEqual([
      { kind: 'wrong_code', attemptsLeft: 2, remote: ATTACKER },
      { kind: 'wrong_code', attemptsLeft: 1, remote: ATTACKER },
    ]);
    expect(filed).toEqual([]);
  });

  it("wrong codes count for the guard: past the source's budget it is refused rate_limited at once, the right code and a new invite too; another source joins", async () => {
    const { alice, filed, told, carolDelivers } = await inviter({
      authLimit: { maxFailures: 2, windowMs: 60_000, blockMs: 60_000 },
    });
    const first = await openInvite(alice, { maxWrongAttempts: 3 });
    const mallory = await start({ name: 'mallory', localAddress: ATTACKER });
    const wrong = wrongFor(first.code);
    expect(await joinWith(mallory, alice.port, wrong)).toMatchObject({ code: 'wrong_code' });
    expect(await joinWith(mallory, alice.port, wrong)).toMatchObject({ code: 'wrong_code' });
    // Two guesses: mallory's address is refused before its hello is read, the code unasked.
    // (Any node says so, an inviter or not: the joiner tells rate_limited, not "not supported".)
    const limited = await joinWith(mallory, alice.port, first.code);
    expect(limited).toEqual({ kind: 'failed', code: 'rate_limited', message: RATE_LIMITED });
    expect(told).toContainEqual({ kind: 'refused', code: 'rate_limited', remote: ATTACKER });
    expect(kinds(first.events)).toEqual(['open', 'wrong_code', 'wrong_code']);

    // A new invite does not reset the address's budget.
    first.sub.unsubscribe();
    const second = await openInvite(alice);
    expect(second.code).not.toBe(first.code);
    expect(await joinWith(mallory, alice.port, second.code)).toEqual(limited);
    expect(kinds(second.events)).toEqual(['open']);
    expect(told.filter((e) => e.kind === 'refused' && e.code === 'rate_limited')).toHaveLength(2);

    // It is the source that is limited, not the invite: bob joins from his own.
    const bob = await start({ name: 'bob', localAddress: JOINER });
    expect(await joinWith(bob, alice.port, second.code)).toMatchObject({ kind: 'joined' });
    await eventually(() => filed.length === 1, 5_000, 'alice files bob');
    expect(filed[0]).toMatchObject({ username: 'bob', ip: JOINER });
    await carolDelivers();
  });

  it('20 joiners at once with wrong codes, in waves until it burns: exactly 3 counted, burnt once, the rest busy or no_invite, alice serves on', async () => {
    const MAX_WRONG = 3;
    const SOURCES = 4;
    const PER_SOURCE = 5;
    const MAX_WAVES = 6;
    const { alice, filed, told, carolDelivers } = await inviter();
    const invite = await openInvite(alice, { maxWrongAttempts: MAX_WRONG });
    const wrong = wrongFor(invite.code);
    const joiners: ParleyNode[] = [];
    for (let s = 0; s < SOURCES; s++) {
      joiners.push(await start({ name: `mallory${s}`, localAddress: `127.0.0.${30 + s}` }));
    }
    const outcomes: string[] = [];
    let waves = 0;
    while (waves < MAX_WAVES && !invite.events.some((e) => e.kind === 'burnt')) {
      waves += 1;
      const wave = await Promise.all(
        joiners.flatMap((j) =>
          Array.from({ length: PER_SOURCE }, () => joinWith(j, alice.port, wrong)),
        ),
      );
      for (const o of wave) {
        // busy, with the inviter's sentence (not any busy: the node's cap would say another).
        if (o.kind === 'failed' && o.code === 'busy' && o.message === BUSY_SENTENCE) {
          outcomes.push('busy');
        } else outcomes.push(o.kind === 'failed' ? o.code : `unexpected ${o.kind}`);
      }
    }
    expect(invite.events.filter((e) => e.kind === 'burnt')).toHaveLength(1);
    // (In the order the joins were made, not the order they were answered in.)
    expect(outcomes.filter((o) => o === 'wrong_code')).toHaveLength(MAX_WRONG - 1);
    expect(outcomes.filter((o) => o === 'burnt')).toHaveLength(1);
    expect(
      outcomes.filter((o) => !['wrong_code', 'burnt', 'busy', 'no_invite'].includes(o)),
    ).toEqual([]);
    expect(outcomes).toHaveLength(waves * SOURCES * PER_SOURCE);
    // Alice's invite heard each of them: the counted ones, every busy one, and its end once.
    const heard = kinds(invite.events);
    expect(heard.filter((k) => k === 'wrong_code')).toHaveLength(MAX_WRONG - 1);
    expect(heard.filter((k) => k === 'refused')).toHaveLength(
      outcomes.filter((o) => o === 'busy').length,
    );
    expect(invite.events.at(-1)).toEqual({ kind: 'burnt', wrongAttempts: MAX_WRONG });
    expect(told.filter((e) => e.kind === 'error')).toEqual([]);
    expect(filed).toEqual([]);
    await carolDelivers();
  });

  it("alice's sink fails: bob has joined (he filed her first), her invite ends file_failed, and the secret is never in what her node says", async () => {
    const sink = failing();
    const { alice, told } = await inviter({ fileContact: sink.sink, trace: true });
    const invite = await openInvite(alice);
    const b = recording();
    const bob = await start({ name: 'bob', localAddress: JOINER, fileContact: b.sink });
    // bob files alice and confirms with `joined` before alice files him: he has joined.
    const result = await joinWith(bob, alice.port, invite.code);
    expect(result).toEqual({
      kind: 'joined',
      contact: { username: 'alice', ip: LOCALHOST, port: alice.port },
    });
    await eventually(() => invite.events.length >= 2, 5_000, 'alice hears how it ended');
    expect(invite.events.slice(1)).toEqual([
      { kind: 'failed', code: 'file_failed', message: EACCES },
    ]);
    expect(sink.asked).toHaveLength(1);
    const secret = sink.asked[0]!.password;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(b.filed.map((c) => c.password)).toEqual([secret]);
    // bob is not in alice's contacts, and nothing she told says the secret.
    await eventually(
      () => told.some((e) => e.kind === 'invite_exchange' && e.outcome === 'invite_failed'),
      5_000,
      'the exchange ends',
    );
    const { directory } = await firstValueFrom(alice.state$);
    expect(directory.map((c) => c.username)).toEqual(['carol']);
    expect(JSON.stringify(told)).not.toContain(secret);
    expect(JSON.stringify(invite.events)).not.toContain(secret);
    // Spent either way: the invite is over.
    const dave = await start({ name: 'dave', localAddress: '127.0.0.4' });
    expect(await joinWith(dave, alice.port, invite.code)).toMatchObject({ code: 'no_invite' });
  });

  it("bob's sink fails: his join fails file_failed, he never writes joined, alice files nothing and her invite stays open for the next joiner", async () => {
    const { alice, filed, told } = await inviter({ trace: true });
    const invite = await openInvite(alice);
    const sink = failing();
    const bob = await start({
      name: 'bob',
      localAddress: JOINER,
      fileContact: sink.sink,
      trace: true,
    });
    const bobTold: NodeEvent[] = [];
    subs.push(bob.events$.subscribe((e) => bobTold.push(e)));
    const result = await joinWith(bob, alice.port, invite.code);
    expect(result).toEqual({ kind: 'failed', code: 'file_failed', message: EACCES });
    expect(sink.asked).toHaveLength(1);
    expect(sink.asked[0]).toMatchObject({ username: 'alice', port: alice.port });
    const secret = sink.asked[0]!.password;
    expect(JSON.stringify(bobTold)).not.toContain(secret);
    const framesOut = bobTold.flatMap((e) =>
      e.kind === 'frame' && e.direction === 'out' ? [e.type] : [],
    );
    // bob got as far as the welcome (he filed), said dh auth join, and never joined.
    expect(framesOut.slice(0, 4)).toEqual(['hello', 'dh', 'auth', 'join']);
    expect(framesOut).not.toContain('joined');
    await eventually(
      () => told.some((e) => e.kind === 'invite_exchange' && e.outcome === 'invite_failed'),
      5_000,
      "alice's side of it ends",
    );
    const framesIn = told.flatMap((e) =>
      e.kind === 'frame' && e.direction === 'in' ? [e.type] : [],
    );
    expect(framesIn).not.toContain('joined');
    expect(filed).toEqual([]);
    expect(kinds(invite.events)).toEqual(['open']);
    expect(JSON.stringify(told)).not.toContain(secret);

    // Still open: a fresh joiner with the right code joins.
    const dave = await start({ name: 'dave', localAddress: '127.0.0.4' });
    expect(await joinWith(dave, alice.port, invite.code)).toMatchObject({ kind: 'joined' });
    await eventually(() => filed.length === 1, 5_000, 'alice files dave');
    expect(filed[0]).toMatchObject({ username: 'dave', ip: '127.0.0.4', port: dave.port });
    expect(kinds(invite.events)).toEqual(['open', 'joined']);
  });

  it('an invite cancelled, or expired, while a joiner that knows the code is mid-exchange: its joined is refused no_invite and it is not filed', async () => {
    const { alice, filed, told } = await inviter();
    const endedBy = async (end: 'cancelled' | 'expired', from: string) => {
      const invite = await openInvite(alice, end === 'expired' ? { expiresInMs: 1_000 } : {});
      const me = rawJoiner(`mallory-${end}`, invite.code);
      const { wire, hello, dh } = await helloed(alice.port, from, me);
      wire.sendFrame(me.dh(hello));
      const { keys, th } = me.session(hello, dh);
      wire.sendFrame({ type: 'auth', proof: inviteProof(keys, th, 'initiator') });
      wire.sendFrame({ type: 'join', port: 5002, hmac: joinMac(keys, th, 5002) });
      expect(await wire.next()).toMatchObject({ type: 'auth' });
      expect(await wire.next()).toMatchObject({ type: 'welcome', port: alice.port });
      // The code proved and the secret handed over: now the invite ends, before the joined.
      if (end === 'cancelled') invite.sub.unsubscribe();
      const ended = (e: NodeEvent) => e.kind === 'invite' && e.event.kind === end;
      await eventually(() => told.some(ended), 5_000, `the invite ${end}`);
      wire.sendFrame({ type: 'joined', hmac: joinedMac(keys, th) });
      return answerThenClose(wire);
    };
    expect(await endedBy('cancelled', ATTACKER)).toMatchObject({
      type: 'error',
      code: 'no_invite',
    });
    expect(await endedBy('expired', '127.0.0.6')).toMatchObject({
      type: 'error',
      code: 'no_invite',
    });
    expect(filed).toEqual([]);
    const { directory } = await firstValueFrom(alice.state$);
    expect(directory.map((c) => c.username)).toEqual(['carol']);
    // Not even for a moment: every change of her contacts was carol's, at the start.
    const changes = told.flatMap((e) =>
      e.kind === 'contacts' ? [e.directory.map((c) => c.username)] : [],
    );
    expect(changes).toEqual([['carol']]);
  });
});

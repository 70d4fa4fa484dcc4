/**
 * parley-invite/1's two actors in virtual time (docs/PROTOCOL.md, "Invites"): the joiner
 * (bob) and the inviter (alice, the node's incoming logic taking a hello with `invite: 1`),
 * each against a scripted peer or both wired back to back, their effects carried out by the
 * real `carryOut` on a fake socket so that each write is what the peer would read in one go.
 * A fake desk plays the node: the open invite, the budgets, the filing of the new contact.
 *
 * Written letters: each stands for one write, the lines of a flight concatenated:
 *   H joiner hello | D joiner dh + auth + join | J joined
 *   A inviter hello + dh | B inviter auth + welcome | E an error frame.
 * Wired, one virtual millisecond per hop: 0 hello → | 1 hello + dh ← | 2 dh + auth + join → |
 * 3 auth + welcome ← | 4 bob files alice, joined → | 5 alice files bob.
 */
import { map, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BURNT_MESSAGE, wrongCodeMessage } from '../../src/actors/invite-inviter.js';
import type { JoinerEvent, JoinerPhase } from '../../src/actors/invite-joiner.js';
import { responderLogic } from '../../src/actors/responder.js';
import type { Effect, Failure, Inbound } from '../../src/actors/types.js';
import type { ErrorCode } from '../../src/codecs/errors.js';
import { Base64, MacHex, mint } from '../../src/codecs/formats.js';
import { errorFrame, type Frame, welcomeFrame } from '../../src/codecs/frames.js';
import { encodeFrame } from '../../src/codecs/line.js';
import { deriveKeys } from '../../src/crypto/schedule.js';
import { welcomeMac } from '../../src/invite/schedule.js';
import { DEFAULT_STEP_DEADLINE_MS } from '../../src/limits.js';
import { flipChar } from '../support/flip-char.js';
import {
  CODE,
  type Desk,
  desk,
  filings,
  guesses,
  INVITE,
  INVITER,
  type InviteTamper,
  inviterConfig,
  inviterDeps,
  JOINER,
  joinerDeps,
  LINES,
  type LineName,
  opaque,
  type Side,
  scripted,
  vectorFrame,
  vectorIncoming,
  vectorJoiner,
  type Wired,
  wire,
} from '../support/invite-actors.js';
import { marbles } from '../support/marbles.js';

type Json = Record<string, unknown>;

const frameOf = (name: LineName): Inbound => ({ kind: 'frame', frame: vectorFrame(name) });
const inbound = (f: Frame | Json): Inbound => ({ kind: 'frame', frame: f as Frame });
const errorLine = (code: ErrorCode, message: string) => encodeFrame(errorFrame(code, message));

/** The writes of the vector exchange, flight by flight, as docs/PROTOCOL.md draws them. */
const WRITES = {
  H: LINES.joiner_hello,
  D: LINES.joiner_dh + LINES.joiner_auth + LINES.join,
  J: LINES.joined,
  A: LINES.inviter_hello + LINES.inviter_dh,
  B: LINES.inviter_auth + LINES.welcome,
};

/** What each side of the vector asks its node to file. */
const FILE_ALICE = {
  kind: 'file_contact',
  username: INVITER.username,
  port: INVITER.port,
  password: INVITE.password,
};
const FILE_BOB = {
  kind: 'file_contact',
  username: JOINER.username,
  port: JOINER.port,
  password: INVITE.password,
};

const peerError = (code: string, message: string): Failure => ({
  cause: 'peer_error',
  code,
  message,
});
const rejected = (code: ErrorCode, message: string): Failure => ({
  cause: 'rejected',
  code,
  message,
});
const joinerFailed = (
  code: Extract<JoinerEvent, { kind: 'failed' }>['code'],
  step: JoinerPhase,
  failure: Failure,
): JoinerEvent => ({ kind: 'failed', code, step, failure });
const inviterFailed = (step: string, failure: Failure) => ({
  kind: 'invite_failed',
  step,
  failure,
  username: JOINER.username,
});

/** The writes of one side, without their times. */
const linesOf = (w: Wired, from: Side) =>
  w.writes.filter((x) => x.from === from).map((x) => x.lines);
/** The frame types one side wrote, in order. */
const typesOf = (w: Wired, from: Side) =>
  linesOf(w, from).flatMap((lines) =>
    lines
      .split('\n')
      .slice(0, -1)
      .map((line) => (JSON.parse(line) as Json).type),
  );

/** Both actors wired, each with its own desk; the result read after the virtual run. */
const exchange = ({
  joinerCode,
  inviterDesk = {},
  joinerDesk = {},
  tamper,
}: {
  joinerCode?: string;
  inviterDesk?: Omit<Parameters<typeof desk>[0], 'scheduler'>;
  joinerDesk?: Omit<Parameters<typeof desk>[0], 'scheduler'>;
  tamper?: InviteTamper;
} = {}) => {
  const bob = joinerDeps();
  const alice = inviterDeps();
  let wired: Wired | undefined;
  let desks: { joiner: Desk; inviter: Desk } | undefined;
  marbles((scheduler) => {
    desks = {
      joiner: desk({ scheduler, ...joinerDesk }),
      inviter: desk({ scheduler, ...inviterDesk }),
    };
    wired = wire({
      scheduler,
      joiner: vectorJoiner(joinerCode ? { code: joinerCode } : {}, bob),
      inviter: vectorIncoming(alice),
      joinerAnswer: desks.joiner.answer,
      inviterAnswer: desks.inviter.answer,
      tamper,
    });
  });
  return {
    wired: wired!,
    joinerDesk: desks!.joiner,
    inviterDesk: desks!.inviter,
    joinerKeyPairs: bob.keyPairs(),
    inviterKeyPairs: alice.keyPairs(),
  };
};

/** Change the `type` frames `from` writes with `change`. */
const onFrame =
  (from: Side, type: string, change: (f: Json) => Json): InviteTamper =>
  (f, by) =>
    by === from && f.type === type ? change(f) : f;
const flipField = (field: string) => (f: Json) => ({ ...f, [field]: flipChar(f[field] as string) });

describe('parley-invite/1: the vector, replayed', () => {
  it("the joiner writes the vector's lines, one flight per write: H, D (dh auth join), J", () => {
    const bob = joinerDeps();
    let d: Desk | undefined;
    let events: [number, JoinerEvent][] = [];
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      d = desk({ scheduler });
      // The inviter's hello and dh, then its auth and welcome, one frame per tick.
      const inbound$ = cold('-hd-aw', {
        h: frameOf('inviter_hello'),
        d: frameOf('inviter_dh'),
        a: frameOf('inviter_auth'),
        w: frameOf('welcome'),
      });
      const run = scripted(vectorJoiner({}, bob), inbound$, {
        scheduler,
        answer: d.answer,
      });
      events = run.events;
      expectObservable(run.written$).toBe('H-D--(J|)', WRITES);
      expectSubscriptions(inbound$.subscriptions).toBe('^----!');
    });
    expect(d!.asked.map((a) => [a.at, a.effect])).toEqual([[5, FILE_ALICE]]);
    expect(events).toEqual([[5, { kind: 'joined', username: 'alice', port: INVITER.port }]]);
    expect(bob.keyPairs()).toBe(1);
  });

  it("the inviter writes the vector's lines, one flight per write: A (hello dh), B (auth welcome)", () => {
    const alice = inviterDeps();
    let d: Desk | undefined;
    let events: [number, unknown][] = [];
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      d = desk({ scheduler });
      const inbound$ = cold('-h-dajk', {
        h: frameOf('joiner_hello'),
        d: frameOf('joiner_dh'),
        a: frameOf('joiner_auth'),
        j: frameOf('join'),
        k: frameOf('joined'),
      });
      const run = scripted(vectorIncoming(alice), inbound$, { scheduler, answer: d.answer });
      events = run.events;
      expectObservable(run.written$).toBe('-A---B|', WRITES);
      expectSubscriptions(inbound$.subscriptions).toBe('^-----!');
    });
    expect(d!.asked.map((a) => [a.at, a.effect])).toEqual([
      [1, { kind: 'claimed', username: 'bob' }],
      [1, { kind: 'invite_claim', username: 'bob' }],
      [1, { kind: 'may_guess', username: 'bob' }],
      [6, FILE_BOB],
    ]);
    expect(events).toEqual([[6, { kind: 'invite_joined', username: 'bob', port: JOINER.port }]]);
    expect(alice.keyPairs()).toBe(1);
  });

  it('wired, both sides write exactly the vector, flight by flight, and both file the other', () => {
    const { wired, joinerDesk, inviterDesk } = exchange();
    expect(wired.writes).toEqual([
      { at: 0, from: 'joiner', lines: WRITES.H },
      { at: 1, from: 'inviter', lines: WRITES.A },
      { at: 2, from: 'joiner', lines: WRITES.D },
      { at: 3, from: 'inviter', lines: WRITES.B },
      { at: 4, from: 'joiner', lines: WRITES.J },
    ]);
    expect(filings(joinerDesk).map((x) => x.effect)).toEqual([FILE_ALICE]);
    expect(filings(inviterDesk).map((x) => x.effect)).toEqual([FILE_BOB]);
    expect(guesses(inviterDesk)).toEqual([]);
  });
});

describe('parley-invite/1: joiner and inviter wired', () => {
  it('success: bob has joined alice, alice has filed bob', () => {
    const { wired } = exchange();
    expect(wired.joinerEvents).toEqual([
      [4, { kind: 'joined', username: 'alice', port: INVITER.port }],
    ]);
    expect(wired.inviterEvents).toEqual([
      [5, { kind: 'invite_joined', username: 'bob', port: JOINER.port }],
    ]);
    expect(wired.closed).toEqual({ joiner: 4, inviter: 5 });
  });

  it("the joiner's joined waits for its filing: 7 ms of filing, joined 7 ms later", () => {
    const { wired, joinerDesk, inviterDesk } = exchange({ joinerDesk: { fileDelayMs: 7 } });
    // The welcome arrives at 4 and bob is asked to file alice at once; joined goes at 4 + 7.
    expect(filings(joinerDesk).map((x) => x.at)).toEqual([4]);
    expect(wired.writes.filter((x) => x.from === 'joiner')).toEqual([
      { at: 0, from: 'joiner', lines: WRITES.H },
      { at: 2, from: 'joiner', lines: WRITES.D },
      { at: 11, from: 'joiner', lines: WRITES.J },
    ]);
    expect(wired.joinerEvents).toEqual([
      [11, { kind: 'joined', username: 'alice', port: INVITER.port }],
    ]);
    // Alice files bob only once joined arrived (and verified): not at the join (3).
    expect(filings(inviterDesk).map((x) => [x.at, x.effect])).toEqual([[12, FILE_BOB]]);
    expect(wired.inviterEvents).toEqual([
      [12, { kind: 'invite_joined', username: 'bob', port: JOINER.port }],
    ]);
  });
});

describe('parley-invite/1: a wrong code', () => {
  it.each([
    [2, 'auth_failed', wrongCodeMessage(2), 'wrong_code'],
    [1, 'auth_failed', wrongCodeMessage(1), 'wrong_code'],
    [0, 'invite_burnt', BURNT_MESSAGE, 'burnt'],
  ] as const)('%i left: %s "%s", the joiner reads %s', (left, code, message, meaning) => {
    const { wired, joinerDesk, inviterDesk } = exchange({
      joinerCode: '7-crater-lava',
      inviterDesk: { left },
    });
    expect(message).toBe(
      left === 0
        ? 'wrong code: the invite is burnt; ask for a new code'
        : `wrong code: ${left} attempt${left === 1 ? '' : 's'} left`,
    );
    // Never an auth or a welcome: the inviter proves nothing to a wrong code.
    expect(linesOf(wired, 'inviter')).toEqual([WRITES.A, errorLine(code, message)]);
    expect(guesses(inviterDesk)).toEqual(['proof_failed']);
    expect(inviterDesk.kinds()).toEqual([
      'claimed',
      'invite_claim',
      'may_guess',
      'guess',
      'invite_wrong',
    ]);
    expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
      { kind: 'invite_wrong', username: 'bob', attemptsLeft: left },
    ]);
    expect(wired.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed(meaning, 'awaitingAuth', peerError(code, message)),
    ]);
    expect(filings(joinerDesk)).toEqual([]);
    expect(filings(inviterDesk)).toEqual([]);
  });
});

describe('parley-invite/1: a wrong code counted later', () => {
  it('the join of the same write waits for nothing: the count still ends in its sentence', () => {
    const bob = joinerDeps();
    const alice = inviterDeps();
    let wired: Wired | undefined;
    marbles((scheduler) => {
      const joinerDesk = desk({ scheduler });
      const inviterDesk = desk({ scheduler, left: 2 });
      wired = wire({
        scheduler,
        joiner: vectorJoiner({ code: '7-crater-lava' }, bob),
        inviter: vectorIncoming(alice),
        joinerAnswer: joinerDesk.answer,
        // The node takes 5 ms to count the wrong code: the join is in the mailbox by then.
        inviterAnswer: (effect) =>
          effect.kind === 'invite_wrong'
            ? timer(5, scheduler).pipe(map((): Inbound => ({ kind: 'attempts', left: 2 })))
            : inviterDesk.answer(effect),
      });
    });
    expect(linesOf(wired!, 'inviter')).toEqual([
      WRITES.A,
      errorLine('auth_failed', wrongCodeMessage(2)),
    ]);
    expect(wired!.inviterEvents.map(([, e]) => e)).toEqual([
      { kind: 'invite_wrong', username: 'bob', attemptsLeft: 2 },
    ]);
  });
});

describe('parley-invite/1: the invite ends while a wrong code is counted', () => {
  it('no_invite, not burnt: the joiner is told the invite is gone, and nothing is charged twice', () => {
    const bob = joinerDeps();
    const alice = inviterDeps();
    let wired: Wired | undefined;
    let inviterDesk: Desk | undefined;
    const message = 'the invite was cancelled or expired during the exchange';
    marbles((scheduler) => {
      const joinerDesk = desk({ scheduler });
      inviterDesk = desk({ scheduler });
      wired = wire({
        scheduler,
        joiner: vectorJoiner({ code: '7-crater-lava' }, bob),
        inviter: vectorIncoming(alice),
        joinerAnswer: joinerDesk.answer,
        inviterAnswer: (effect) =>
          effect.kind === 'invite_wrong'
            ? { kind: 'invitation_refused', code: 'no_invite', message }
            : inviterDesk!.answer(effect),
      });
    });
    expect(linesOf(wired!, 'inviter')).toEqual([WRITES.A, errorLine('no_invite', message)]);
    expect(guesses(inviterDesk!)).toEqual(['proof_failed']);
    expect(wired!.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed('no_invite', 'awaitingAuth', peerError('no_invite', message)),
    ]);
  });
});

describe('parley-invite/1: refused before any DH work', () => {
  it.each([
    ['no_invite', 'no invite is open', 'no_invite'],
    ['busy', 'another joiner is mid-exchange', 'busy'],
  ] as const)(
    '%s "%s": only the error frame, no key pair, no budget asked; the joiner reads %s',
    (code, message, meaning) => {
      const { wired, inviterDesk, joinerKeyPairs, inviterKeyPairs } = exchange({
        inviterDesk: { claim: { kind: 'invitation_refused', code, message } },
      });
      expect(linesOf(wired, 'inviter')).toEqual([errorLine(code, message)]);
      expect(inviterDesk.kinds()).toEqual(['claimed', 'invite_claim']);
      expect(inviterKeyPairs).toBe(0);
      expect(joinerKeyPairs).toBe(0);
      expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
        { kind: 'invite_refused', code, username: 'bob', message },
      ]);
      expect(wired.joinerEvents).toEqual([
        [2, joinerFailed(meaning, 'awaitingHello', peerError(code, message))],
      ]);
    },
  );

  it('the budget refuses (may_guess → not allowed): rate_limited, no key pair, no guess charged', () => {
    const { wired, inviterDesk, inviterKeyPairs, joinerKeyPairs } = exchange({
      inviterDesk: { allowed: false },
    });
    const message = 'too many failed attempts; try again later';
    expect(linesOf(wired, 'inviter')).toEqual([errorLine('rate_limited', message)]);
    expect(inviterDesk.kinds()).toEqual(['claimed', 'invite_claim', 'may_guess']);
    expect(inviterKeyPairs).toBe(0);
    expect(joinerKeyPairs).toBe(0);
    expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
      inviterFailed('askingBudget', rejected('rate_limited', message)),
    ]);
    // Said by an inviter (or a parley/1 node's guard) alike: told as such, not "not supported".
    expect(wired.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed('rate_limited', 'awaitingHello', peerError('rate_limited', message)),
    ]);
  });
});

describe('parley-invite/1: a name that is a contact already', () => {
  const taken = { kind: 'invitation', code: CODE, port: INVITER.port, nameTaken: true } as const;
  const message = 'the inviter already has a contact named bob';

  it('is told name_taken only once the code is proved: no proof_R, no welcome, nothing filed', () => {
    const { wired, inviterDesk, joinerDesk } = exchange({ inviterDesk: { claim: taken } });
    expect(linesOf(wired, 'inviter')).toEqual([WRITES.A, errorLine('name_taken', message)]);
    expect(guesses(inviterDesk)).toEqual([]);
    expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
      { kind: 'invite_refused', code: 'name_taken', username: 'bob', message },
    ]);
    expect(wired.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed('name_taken', 'awaitingAuth', peerError('name_taken', message)),
    ]);
    expect(filings(inviterDesk)).toEqual([]);
    expect(filings(joinerDesk)).toEqual([]);
  });

  it('a wrong code is only a wrong code: nothing says the name is taken', () => {
    const { wired, inviterDesk } = exchange({
      joinerCode: '7-crater-lava',
      inviterDesk: { claim: taken, left: 2 },
    });
    expect(linesOf(wired, 'inviter')).toEqual([
      WRITES.A,
      errorLine('auth_failed', wrongCodeMessage(2)),
    ]);
    expect(guesses(inviterDesk)).toEqual(['proof_failed']);
  });
});

describe('parley-invite/1: a parley/1 peer', () => {
  const NOT_SUPPORTED = 'the peer does not speak parley-invite/1 (it answered as parley/1)';
  const stranger: Inbound = { kind: 'contact', secret: undefined };

  it('a plain responder answers a hello without `invite`: unexpected_frame, not_supported', () => {
    const bob = joinerDeps();
    let wired: Wired | undefined;
    let d: Desk | undefined;
    marbles((scheduler) => {
      d = desk({ scheduler });
      const answer = d.answer;
      wired = wire({
        scheduler,
        joiner: vectorJoiner({}, bob),
        inviter: opaque(responderLogic(inviterConfig, inviterDeps().deps)),
        joinerAnswer: answer,
        inviterAnswer: (e) => (e.kind === 'lookup' ? stranger : answer(e)),
      });
    });
    const [reply] = linesOf(wired!, 'inviter');
    expect(JSON.parse(reply!)).toEqual({
      type: 'hello',
      version: 1,
      from: 'alice',
      to: 'bob',
      nonce: INVITER.nonce,
    });
    expect(linesOf(wired!, 'joiner')).toEqual([
      WRITES.H,
      errorLine('unexpected_frame', NOT_SUPPORTED),
    ]);
    expect(wired!.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed('not_supported', 'awaitingHello', rejected('unexpected_frame', NOT_SUPPORTED)),
    ]);
    expect(bob.keyPairs()).toBe(0);
    expect(filings(d!)).toEqual([]);
  });

  it('`invite` dropped on the path: the node answers as parley/1, the joiner says not_supported', () => {
    const noInvite = onFrame('joiner', 'hello', ({ invite: _, ...rest }) => rest);
    let wired: Wired | undefined;
    let d: Desk | undefined;
    marbles((scheduler) => {
      d = desk({ scheduler });
      const answer = d.answer;
      wired = wire({
        scheduler,
        tamper: noInvite,
        inviterAnswer: (e: Effect<unknown>) => (e.kind === 'lookup' ? stranger : answer(e)),
      });
    });
    expect(d!.kinds()).not.toContain('invite_claim');
    expect(typesOf(wired!, 'inviter')).toEqual(['hello']);
    expect(wired!.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed('not_supported', 'awaitingHello', rejected('unexpected_frame', NOT_SUPPORTED)),
    ]);
  });

  it.each([
    ['unknown_recipient', 'this is carol, not bob', 'not_supported'],
    ['version_unsupported', 'this peer speaks version 1', 'not_supported'],
    ['busy', 'too many connections', 'busy'],
    ['rate_limited', 'too many failed attempts; try again later', 'rate_limited'],
  ] as const)('an error before any echo (%s "%s") is %s', (code, message, meaning) => {
    let events: [number, JoinerEvent][] = [];
    marbles((scheduler, { cold, expectObservable }) => {
      const inbound$ = cold('-e', { e: inbound(errorFrame(code, message)) });
      const run = scripted(vectorJoiner(), inbound$, { scheduler });
      events = run.events;
      // Never an error answered with an error: the hello, then the close.
      expectObservable(run.written$).toBe('H|', WRITES);
    });
    expect(events).toEqual([[1, joinerFailed(meaning, 'awaitingHello', peerError(code, message))]]);
  });
});

describe('parley-invite/1: tampering on the path', () => {
  it('join.hmac flipped: the inviter answers bad_mac, no welcome, nobody filed', () => {
    const { wired, joinerDesk, inviterDesk } = exchange({
      tamper: onFrame('joiner', 'join', flipField('hmac')),
    });
    const message = 'the join did not verify';
    expect(linesOf(wired, 'inviter')).toEqual([WRITES.A, errorLine('bad_mac', message)]);
    expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
      inviterFailed('awaitingJoin', rejected('bad_mac', message)),
    ]);
    // proof_I verified before the join: no guess to charge.
    expect(guesses(inviterDesk)).toEqual([]);
    expect(filings(inviterDesk)).toEqual([]);
    expect(filings(joinerDesk)).toEqual([]);
    expect(wired.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed('protocol', 'awaitingAuth', peerError('bad_mac', message)),
    ]);
  });

  it.each(['hmac', 'secret', 'port'])(
    'welcome.%s changed: the joiner answers bad_mac, files nobody, writes no joined',
    (field) => {
      const change = field === 'port' ? (f: Json) => ({ ...f, port: 5003 }) : flipField(field);
      const { wired, joinerDesk, inviterDesk } = exchange({
        tamper: onFrame('inviter', 'welcome', change),
      });
      const message = 'the welcome did not verify';
      expect(linesOf(wired, 'joiner')).toEqual([WRITES.H, WRITES.D, errorLine('bad_mac', message)]);
      expect(filings(joinerDesk)).toEqual([]);
      expect(wired.joinerEvents.map(([, e]) => e)).toEqual([
        joinerFailed('protocol', 'awaitingWelcome', rejected('bad_mac', message)),
      ]);
      expect(filings(inviterDesk)).toEqual([]);
      expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
        inviterFailed('awaitingJoined', peerError('bad_mac', message)),
      ]);
    },
  );

  it('joined.hmac flipped: the inviter answers bad_mac and files nobody', () => {
    const { wired, joinerDesk, inviterDesk } = exchange({
      tamper: onFrame('joiner', 'joined', flipField('hmac')),
    });
    const message = 'the joined confirmation did not verify';
    expect(linesOf(wired, 'inviter')).toEqual([WRITES.A, WRITES.B, errorLine('bad_mac', message)]);
    expect(filings(inviterDesk)).toEqual([]);
    expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
      inviterFailed('awaitingJoined', rejected('bad_mac', message)),
    ]);
    // Bob had filed alice and confirmed: what reached alice is not his to know.
    expect(filings(joinerDesk).map((x) => x.effect)).toEqual([FILE_ALICE]);
  });

  it("the inviter's dh in another group: the joiner answers unsupported_group; charged no_proof", () => {
    const { wired, joinerDesk, inviterDesk } = exchange({
      tamper: onFrame('inviter', 'dh', (f) => ({ ...f, group: 'x25519' })),
    });
    const message = 'an invite uses cpace-ristretto255, not x25519';
    expect(linesOf(wired, 'joiner')).toEqual([WRITES.H, errorLine('unsupported_group', message)]);
    expect(wired.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed('protocol', 'awaitingDh', rejected('unsupported_group', message)),
    ]);
    expect(filings(joinerDesk)).toEqual([]);
    // Alice's key pair was made and no proof came: one guess.
    expect(guesses(inviterDesk)).toEqual(['no_proof']);
  });

  it("the joiner's dh in another group: the inviter answers unsupported_group, charged once", () => {
    const { wired, inviterDesk } = exchange({
      tamper: onFrame('joiner', 'dh', (f) => ({ ...f, group: 'x25519' })),
    });
    const message = 'an invite uses cpace-ristretto255, not x25519';
    expect(linesOf(wired, 'inviter')).toEqual([WRITES.A, errorLine('unsupported_group', message)]);
    expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
      inviterFailed('awaitingJoinerDh', rejected('unsupported_group', message)),
    ]);
    expect(guesses(inviterDesk)).toEqual(['refused_group']);
    expect(filings(inviterDesk)).toEqual([]);
  });

  it('proof_R fails: the joiner answers auth_failed, nothing is filed on either side', () => {
    const { wired, joinerDesk, inviterDesk } = exchange({
      tamper: onFrame('inviter', 'auth', flipField('proof')),
    });
    const message = 'the inviter could not prove that it knows the code';
    expect(linesOf(wired, 'joiner')).toEqual([
      WRITES.H,
      WRITES.D,
      errorLine('auth_failed', message),
    ]);
    expect(wired.joinerEvents.map(([, e]) => e)).toEqual([
      joinerFailed('protocol', 'awaitingAuth', rejected('auth_failed', message)),
    ]);
    expect(filings(joinerDesk)).toEqual([]);
    expect(filings(inviterDesk)).toEqual([]);
    expect(wired.inviterEvents.map(([, e]) => e)).toEqual([
      inviterFailed('awaitingJoined', peerError('auth_failed', message)),
    ]);
  });

  it('a welcome whose MAC verifies but whose secret is not 48 bytes: bad_mac, nothing filed', () => {
    const keys = deriveKeys(CODE, Buffer.from(INVITE.k, 'hex'));
    const th = INVITE.transcript_hash;
    const short = mint(Base64, Buffer.alloc(32, 7).toString('base64'));
    const welcome = welcomeFrame(
      INVITER.port,
      short,
      mint(MacHex, welcomeMac(keys, th, INVITER.port, short)),
    );
    let d: Desk | undefined;
    let events: [number, JoinerEvent][] = [];
    marbles((scheduler, { cold, expectObservable }) => {
      d = desk({ scheduler });
      const inbound$ = cold('-hd-aw', {
        h: frameOf('inviter_hello'),
        d: frameOf('inviter_dh'),
        a: frameOf('inviter_auth'),
        w: inbound(welcome),
      });
      const run = scripted(vectorJoiner(), inbound$, { scheduler, answer: d.answer });
      events = run.events;
      expectObservable(run.written$).toBe('H-D--(E|)', {
        ...WRITES,
        E: errorLine('bad_mac', 'the welcome did not verify'),
      });
    });
    expect(filings(d!)).toEqual([]);
    expect(events.map(([, e]) => e)).toEqual([
      joinerFailed(
        'protocol',
        'awaitingWelcome',
        rejected('bad_mac', 'the welcome did not verify'),
      ),
    ]);
  });
});

describe('parley-invite/1: what a guess costs', () => {
  /** The inviter against a scripted joiner; the desk's record after the run. */
  const inviterAgainst = (
    peer: string,
    frames: Record<string, Inbound>,
    expected: string,
    held: string,
  ) => {
    let d: Desk | undefined;
    let events: [number, unknown][] = [];
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      d = desk({ scheduler });
      const inbound$ = cold(peer, frames);
      const run = scripted(vectorIncoming(), inbound$, { scheduler, answer: d.answer });
      events = run.events;
      expectObservable(run.written$).toBe(expected, WRITES);
      // The exchange lets go of the connection when it ends (the node then releases the invite).
      expectSubscriptions(inbound$.subscriptions).toBe(held);
    });
    return { desk: d!, events };
  };
  const h = frameOf('joiner_hello');
  const dh = frameOf('joiner_dh');

  it('the joiner closes after our key pair, before its dh: one guess, no_proof', () => {
    const { desk: d, events } = inviterAgainst('-h|', { h }, '-A|', '^-!');
    expect(guesses(d)).toEqual(['no_proof']);
    expect(events.map(([, e]) => e)).toEqual([
      inviterFailed('awaitingJoinerDh', { cause: 'closed' }),
    ]);
  });

  it('the joiner closes after its dh, before its proof: one guess, no_proof', () => {
    const { desk: d, events } = inviterAgainst('-h-d|', { h, d: dh }, '-A--|', '^---!');
    expect(guesses(d)).toEqual(['no_proof']);
    expect(events.map(([, e]) => e)).toEqual([
      inviterFailed('awaitingJoinerAuth', { cause: 'closed' }),
    ]);
  });

  it('the joiner closes after proof_I verified: no guess', () => {
    const a = frameOf('joiner_auth');
    const { desk: d, events } = inviterAgainst('-h-da|', { h, d: dh, a }, '-A---|', '^----!');
    expect(guesses(d)).toEqual([]);
    expect(events.map(([, e]) => e)).toEqual([inviterFailed('awaitingJoin', { cause: 'closed' })]);
  });

  it('the joiner closing after joined while alice files it is no failure: the filing goes on', () => {
    const { wired, inviterDesk } = exchange({ inviterDesk: { fileDelayMs: 9 } });
    // Bob closed at 4, right after joined: alice hears both at 5, and files bob until 14.
    expect(wired.closed.joiner).toBe(4);
    expect(filings(inviterDesk).map((x) => [x.at, x.effect])).toEqual([[5, FILE_BOB]]);
    expect(wired.inviterEvents).toEqual([
      [14, { kind: 'invite_joined', username: 'bob', port: JOINER.port }],
    ]);
    expect(wired.closed.inviter).toBe(14);
    expect(linesOf(wired, 'inviter')).toEqual([WRITES.A, WRITES.B]);
  });
});

describe('parley-invite/1: deadlines', () => {
  it('a joiner silent after its hello: the inviter times out at the step deadline, charged no_proof', () => {
    let d: Desk | undefined;
    let events: [number, unknown][] = [];
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      d = desk({ scheduler });
      const inbound$ = cold('-h', { h: frameOf('joiner_hello') });
      const run = scripted(vectorIncoming(), inbound$, { scheduler, answer: d.answer });
      events = run.events;
      const wait = DEFAULT_STEP_DEADLINE_MS;
      expectObservable(run.written$).toBe(`-A ${wait - 1}ms (E|)`, {
        ...WRITES,
        E: errorLine('timeout', 'no frame within the step deadline'),
      });
      // Released at the deadline: the connection, and with it the claimed invite.
      expectSubscriptions(inbound$.subscriptions).toBe(`^ ${wait}ms !`);
    });
    expect(guesses(d!)).toEqual(['no_proof']);
    expect(events).toEqual([
      [1 + DEFAULT_STEP_DEADLINE_MS, inviterFailed('awaitingJoinerDh', { cause: 'timeout' })],
    ]);
  });

  it('a joiner silent after the welcome: the inviter times out, files nobody, charges nothing', () => {
    let d: Desk | undefined;
    let events: [number, unknown][] = [];
    marbles((scheduler, { cold, expectObservable }) => {
      d = desk({ scheduler });
      const inbound$ = cold('-h-daj', {
        h: frameOf('joiner_hello'),
        d: frameOf('joiner_dh'),
        a: frameOf('joiner_auth'),
        j: frameOf('join'),
      });
      const run = scripted(vectorIncoming(), inbound$, {
        scheduler,
        answer: d.answer,
        stepDeadlineMs: 50,
      });
      events = run.events;
      expectObservable(run.written$).toBe('-A---B 49ms (E|)', {
        ...WRITES,
        E: errorLine('timeout', 'no frame within the step deadline'),
      });
    });
    expect(events).toEqual([[55, inviterFailed('awaitingJoined', { cause: 'timeout' })]]);
    expect(filings(d!)).toEqual([]);
    expect(guesses(d!)).toEqual([]);
  });

  it("bob's filing slower than his step deadline: he times out, writes no joined", () => {
    let d: Desk | undefined;
    let events: [number, JoinerEvent][] = [];
    marbles((scheduler, { cold, expectObservable }) => {
      d = desk({ scheduler, fileDelayMs: 1_000 });
      const inbound$ = cold('-hd-aw', {
        h: frameOf('inviter_hello'),
        d: frameOf('inviter_dh'),
        a: frameOf('inviter_auth'),
        w: frameOf('welcome'),
      });
      const run = scripted(vectorJoiner(), inbound$, {
        scheduler,
        answer: d.answer,
        stepDeadlineMs: 100,
      });
      events = run.events;
      expectObservable(run.written$).toBe('H-D-- 100ms (E|)', {
        ...WRITES,
        E: errorLine('timeout', 'no frame within the step deadline'),
      });
    });
    expect(filings(d!).map((x) => x.at)).toEqual([5]);
    expect(events).toEqual([[105, joinerFailed('timeout', 'filing', { cause: 'timeout' })]]);
  });
});

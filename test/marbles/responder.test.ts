/**
 * The responder against a scripted initiator (the vector's frames, bent one way or another).
 * Inbound letters: h hello, d dh, a auth, m message, b bye, k ack, X the frame under test.
 * Effects: capitals are our replies (H hello, D dh, A auth, K ack), e an error frame,
 * r the event published, x the close.
 */
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ResponderEvent, ResponderPhase } from '../../src/actors/responder.js';
import type { Effect, Failure, Inbound } from '../../src/actors/types.js';
import type { ErrorCode } from '../../src/codecs/errors.js';
import type { Group } from '../../src/codecs/formats.js';
import type { Frame } from '../../src/codecs/frames.js';
import { MODP14_PRIME_HEX } from '../../src/crypto/dh.js';
import { createDedupeMemory } from '../../src/node/dedupe.js';
import { responderDeps, vectorFrames, vectorLookup } from '../support/actors.js';
import { marbles } from '../support/marbles.js';
import {
  answer,
  CLOSE,
  emit,
  frame,
  invalid,
  rejected,
  responderEffects$,
  send,
} from '../support/scripted.js';
import { VECTORS } from '../support/vectors.js';

/** A subscription marble: subscribed at 0, released in the frame where `expected` completes. */
const heldUntilEndOf = (expected: string): string => {
  const done = TestScheduler.parseMarbles(expected, undefined, undefined, true, true).find(
    (n) => n.notification.kind === 'C',
  );
  const frame = done?.frame ?? 0;
  return frame === 0 ? '(^!)' : `^${'-'.repeat(frame - 1)}!`;
};

const rejection = (
  step: ResponderPhase,
  failure: Failure,
  peer: string | undefined = step === 'awaitingHello' ? undefined : 'alice',
  stranger = false,
): ResponderEvent => ({ kind: 'rejected', failure, step, peer, stranger });

const hexNumber = (n: bigint, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
const P = BigInt(`0x${MODP14_PRIME_HEX}`);
const X25519_P = 2n ** 255n - 19n;
const littleEndianHex = (n: bigint) =>
  Buffer.from(hexNumber(n, 32), 'hex').reverse().toString('hex');

describe.each(VECTORS.map((v) => [v.group, v] as const))('responder, %s', (group, v) => {
  const f = vectorFrames(v);
  const inbound = { h: frame(f.helloI), d: frame(f.dhI), a: frame(f.authI), m: frame(f.message) };
  const replies = { H: send(f.helloR), D: send(f.dhR), A: send(f.authR), K: send(f.ack) };
  const received: ResponderEvent = {
    kind: 'received',
    message: {
      from: 'alice',
      to: 'bob',
      text: v.plaintext,
      msgId: v.message_frame.header.msg_id,
      timestamp: v.message_frame.header.timestamp,
      clockSkewMs: 0,
    },
  };

  /** Runs the responder over `peer` and checks its effects; the X frame and r event vary. */
  const expectFlow = (
    peer: string,
    expected: string,
    x: Inbound | undefined,
    more: Record<string, unknown>,
    { stepDeadlineMs }: { stepDeadlineMs?: number } = {},
  ) =>
    marbles((scheduler, { cold, expectObservable, expectSubscriptions }) => {
      const inbound$ = cold(peer, { ...inbound, ...(x ? { X: x } : {}) });
      const effects$ = responderEffects$(v, inbound$, { scheduler, stepDeadlineMs });
      expectObservable(effects$).toBe(expected, { ...replies, x: CLOSE, ...more });
      // The actor lets go of the connection the moment it closes.
      expectSubscriptions(inbound$.subscriptions).toBe(heldUntilEndOf(expected));
    });

  const expectRejection = (
    peer: string,
    expected: string,
    x: Inbound | undefined,
    step: ResponderPhase,
    code: ErrorCode,
    message: string,
  ) =>
    expectFlow(peer, expected, x, {
      e: answer(code, message),
      r: emit(rejection(step, rejected(code, message))),
    });

  it('receives the vector message: H D A, then ack, event, close', () => {
    expectFlow('-h-d-a-m', '-H-D-A-(rKx|)', undefined, { r: emit(received) });
  });

  it('answers a presence probe (bye) without an ack', () => {
    expectFlow('-h-d-a-X', '-H-D-A-(rx|)', frame(f.bye), {
      r: emit({ kind: 'presence', from: 'alice' }),
    });
  });

  describe('frames out of order are unexpected_frame', () => {
    const all: Record<string, Frame> = {
      hello: f.helloI,
      dh: f.dhI,
      auth: f.authI,
      message: f.message,
      bye: f.bye,
      ack: f.ack,
    };
    const steps: [ResponderPhase, string, string][] = [
      ['awaitingHello', '', 'hello'],
      ['awaitingDh', 'h', 'dh'],
      ['awaitingAuth', 'hd', 'auth'],
      ['awaitingMessage', 'hda', 'message or bye'],
    ];
    for (const [step, prefix, expected] of steps) {
      for (const [type, wrong] of Object.entries(all)) {
        if (expected.split(' or ').includes(type)) continue;
        it(`${type} while ${step}`, () => {
          const peer = `-${[...prefix].map((c) => `${c}-`).join('')}X`;
          const ours = `-${[...prefix].map((c) => `${c.toUpperCase()}-`).join('')}(erx|)`;
          expectRejection(
            peer,
            ours,
            frame(wrong),
            step,
            'unexpected_frame',
            `expected ${expected}, got ${type}`,
          );
        });
      }
    }
  });

  it('rejects version 2 at hello', () => {
    expectFlow('-X', '-(erx|)', frame({ ...f.helloI, version: 2 }), {
      e: answer('version_unsupported', 'this peer speaks version 1'),
      r: emit(
        rejection(
          'awaitingHello',
          rejected('version_unsupported', 'this peer speaks version 1'),
          undefined,
        ),
      ),
    });
  });

  it('rejects a hello meant for someone else: unknown_recipient', () => {
    const why = 'this is bob, not carol';
    expectFlow('-X', '-(erx|)', frame({ ...f.helloI, to: 'carol' }), {
      e: answer('unknown_recipient', why),
      r: emit(rejection('awaitingHello', rejected('unknown_recipient', why), undefined)),
    });
  });

  it('accepts a hello with to: null (destination entered by hand)', () => {
    expectFlow('-X-d-a-m', '-H-D-A-(rKx|)', frame({ ...f.helloI, to: null }), {
      r: emit(received),
    });
  });

  it('does not reveal an unknown initiator at hello, and fails it at auth', () => {
    const stranger = frame({ ...f.helloI, from: 'mallory' });
    marbles((scheduler, { cold, expectObservable }) => {
      const effects$ = responderEffects$(
        v,
        cold('-X-d-a', { X: stranger, d: inbound.d, a: inbound.a }),
        { scheduler },
      );
      expectObservable(effects$).toBe('-H-D-(erx|)', {
        H: send({ ...f.helloR, to: 'mallory' }),
        D: expect.objectContaining({ kind: 'send' }),
        e: answer('auth_failed', 'authentication failed'),
        r: emit(
          rejection(
            'awaitingAuth',
            rejected('auth_failed', 'authentication failed'),
            'mallory',
            true,
          ),
        ),
        x: CLOSE,
      });
    });
  });

  it('rejects a wrong proof: auth_failed, and never sends its own proof', () => {
    const wrong = frame({ type: 'auth', proof: 'f'.repeat(64) });
    expectRejection(
      '-h-d-X',
      '-H-D-(erx|)',
      wrong,
      'awaitingAuth',
      'auth_failed',
      'authentication failed',
    );
  });

  it('rejects a group it does not support: unsupported_group', () => {
    const dh = frame({ ...f.dhI, group: 'ffdhe2048' });
    expectRejection(
      '-h-X',
      '-H-(erx|)',
      dh,
      'awaitingDh',
      'unsupported_group',
      'supported groups: cpace-ristretto255, modp14, x25519',
    );
  });

  describe('a contact whose directory entry names a group', () => {
    const other = v.group === 'cpace-ristretto255' ? 'x25519' : 'cpace-ristretto255';
    /** The responder with `pinned` as every contact's group. */
    const expectPinned = (
      pinned: Group,
      peer: string,
      expected: string,
      more: Record<string, unknown>,
    ) =>
      marbles((scheduler, { cold, expectObservable }) => {
        const lookup = vectorLookup(v, { group: pinned });
        const inbound$ = cold(peer, inbound);
        expectObservable(responderEffects$(v, inbound$, { scheduler, lookup })).toBe(expected, {
          ...replies,
          x: CLOSE,
          ...more,
        });
      });

    it('is served as usual in that group', () => {
      expectPinned(v.group, '-h-d-a-m', '-H-D-A-(rKx|)', { r: emit(received) });
    });

    it('is refused any other group, even one we support: no downgrade', () => {
      const message = `supported groups: ${other}`;
      expectPinned(other, '-h-d', '-H-(erx|)', {
        e: answer('unsupported_group', message),
        r: emit(rejection('awaitingDh', rejected('unsupported_group', message))),
      });
    });

    it("does not apply to a stranger: the stranger's dh is answered, and fails at auth", () => {
      const effects: Effect<ResponderEvent>[] = [];
      marbles((scheduler, { cold }) => {
        // What a node answers for a stranger, even were a pin given with it.
        const lookup = () => ({ kind: 'contact', secret: undefined, group: other }) as const;
        responderEffects$(v, cold('-h-d-a', inbound), { scheduler, lookup }).subscribe((e) =>
          effects.push(e),
        );
      });
      // A stranger's secret is random: its CPace dh is not the vector's, so only its kind counts.
      expect(effects.filter((e) => e.kind === 'send').map((e) => e.frame.type)).toEqual([
        'hello',
        'dh',
        'error',
      ]);
      expect(effects).toContainEqual(
        emit(
          rejection(
            'awaitingAuth',
            rejected('auth_failed', 'authentication failed'),
            'alice',
            true,
          ),
        ),
      );
    });
  });

  describe('bad DH public values are bad_public_key', () => {
    const modp = {
      '0': hexNumber(0n, 256),
      '1': hexNumber(1n, 256),
      'p-1': hexNumber(P - 1n, 256),
      p: hexNumber(P, 256),
      short: hexNumber(5n, 255),
      long: hexNumber(5n, 257),
    };
    const x25519 = {
      '0': littleEndianHex(0n),
      '1': littleEndianHex(1n),
      'p-1': littleEndianHex(X25519_P - 1n),
      p: littleEndianHex(X25519_P),
      short: '09'.repeat(31),
      long: '09'.repeat(33),
    };
    // ristretto255 encodings: little-endian field elements, canonical only when < p and even.
    const ristretto = {
      identity: '00'.repeat(32),
      '1': littleEndianHex(1n),
      p: littleEndianHex(X25519_P),
      'p+2': littleEndianHex(X25519_P + 2n),
      "the draft's Y_i1": '2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c',
      short: 'e2'.repeat(31),
      long: 'e2'.repeat(33),
    };
    const why = (name: string) =>
      name === 'short' || name === 'long'
        ? `the ${group} public value must be ${group === 'modp14' ? 512 : 64} lowercase hex characters`
        : group === 'modp14'
          ? 'the modp14 public value must be between 2 and p-2'
          : group === 'x25519'
            ? 'the x25519 public value gives an all-zero shared secret'
            : name === 'identity'
              ? 'the cpace-ristretto255 public value is the identity element'
              : 'the cpace-ristretto255 public value is not a canonical ristretto255 encoding';
    const values = { modp14: modp, x25519, 'cpace-ristretto255': ristretto };
    for (const [name, value] of Object.entries(values[group])) {
      it(`public = ${name}`, () => {
        const dh = frame({ ...f.dhI, public: value });
        expectRejection('-h-X', '-H-(erx|)', dh, 'awaitingDh', 'bad_public_key', why(name));
      });
    }
  });

  describe('the peer closing at each step', () => {
    const cases: [ResponderPhase, string, string][] = [
      ['awaitingHello', '-|', '-(rx|)'],
      ['awaitingDh', '-h|', '-H(rx|)'],
      ['awaitingAuth', '-h-d|', '-H-D(rx|)'],
      ['awaitingMessage', '-h-d-a|', '-H-D-A(rx|)'],
    ];
    for (const [step, peer, ours] of cases) {
      it(`while ${step}: reported as closed, nothing sent`, () => {
        expectFlow(peer, ours, undefined, { r: emit(rejection(step, { cause: 'closed' })) });
      });
    }
  });

  describe('a step deadline in virtual time', () => {
    const cases: [ResponderPhase, string, string][] = [
      ['awaitingHello', '-', ' 100ms (erx|)'],
      ['awaitingDh', '-h', '-H 99ms (erx|)'],
      ['awaitingAuth', '-h-d', '-H-D 99ms (erx|)'],
      ['awaitingMessage', '-h-d-a', '-H-D-A 99ms (erx|)'],
    ];
    for (const [step, peer, ours] of cases) {
      it(`while ${step}: timeout after 100 ms of silence`, () => {
        expectFlow(
          peer,
          ours,
          undefined,
          {
            e: answer('timeout', 'no frame within the step deadline'),
            r: emit(rejection(step, { cause: 'timeout' })),
          },
          { stepDeadlineMs: 100 },
        );
      });
    }
  });

  it('answers a line that did not decode with its own code (malformed_frame)', () => {
    const bad = invalid({ code: 'malformed_frame', message: 'the line is not valid JSON' });
    expectRejection(
      '-h-X',
      '-H-(erx|)',
      bad,
      'awaitingDh',
      'malformed_frame',
      'the line is not valid JSON',
    );
  });

  it('answers an oversized line with frame_too_large', () => {
    const big = invalid({
      code: 'frame_too_large',
      message: 'a frame may be at most 1048576 bytes',
    });
    expectRejection(
      '-X',
      '-(erx|)',
      big,
      'awaitingHello',
      'frame_too_large',
      'a frame may be at most 1048576 bytes',
    );
  });

  it("takes the peer's error frame as its words: no answer, just close", () => {
    const err = frame({ type: 'error', code: 'busy', message: 'try later' });
    expectFlow('-h-X', '-H-(rx|)', err, {
      r: emit(rejection('awaitingDh', { cause: 'peer_error', code: 'busy', message: 'try later' })),
    });
  });

  it('notes a sender clock far from ours, without rejecting the message', () => {
    const anHourLater = () => new Date(Date.parse(v.message_frame.header.timestamp) + 3_600_000);
    marbles((scheduler, { cold, expectObservable }) => {
      const deps = responderDeps(v, { now: anHourLater });
      const effects$ = responderEffects$(v, cold('-h-d-a-m', inbound), { scheduler, deps });
      const late = { ...received, message: { ...received.message, clockSkewMs: 3_600_000 } };
      expectObservable(effects$).toBe('-H-D-A-(rKx|)', { ...replies, r: emit(late), x: CLOSE });
    });
  });

  it('acknowledges a duplicate msg_id again but publishes it as a duplicate, not a message', () => {
    const dedupe = createDedupeMemory();
    const run = (expected: string, r: ResponderEvent) =>
      marbles((scheduler, { cold, expectObservable }) => {
        const effects$ = responderEffects$(v, cold('-h-d-a-m', inbound), { scheduler, dedupe });
        expectObservable(effects$).toBe(expected, { ...replies, r: emit(r), x: CLOSE });
      });
    run('-H-D-A-(rKx|)', received);
    run('-H-D-A-(rKx|)', {
      kind: 'duplicate',
      from: 'alice',
      msgId: v.message_frame.header.msg_id,
    });
  });
});

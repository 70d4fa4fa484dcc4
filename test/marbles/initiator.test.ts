/**
 * The initiator against a scripted responder (the vector's frames, bent one way or another).
 * Inbound letters: H hello, D dh, A auth, K ack, X the frame under test.
 * Effects: lower case are our frames (h hello, d dh, a auth, m message, b bye), e an error
 * frame, r the event published, x the close.
 */
import { describe, it } from 'vitest';
import type { InitiatorEvent, InitiatorPhase } from '../../src/actors/initiator.js';
import type { Failure, Inbound } from '../../src/actors/types.js';
import type { ErrorCode } from '../../src/codecs/errors.js';
import type { Frame } from '../../src/codecs/frames.js';
import { initiatorParams, vectorFrames } from '../support/actors.js';
import { marbles } from '../support/marbles.js';
import {
  answer,
  CLOSE,
  emit,
  frame,
  initiatorEffects$,
  rejected,
  send,
} from '../support/scripted.js';
import { VECTORS } from '../support/vectors.js';

describe.each(VECTORS.map((v) => [v.group, v] as const))('initiator, %s', (_, v) => {
  const f = vectorFrames(v);
  const msgId = v.message_frame.header.msg_id;
  const peerFrames = { H: frame(f.helloR), D: frame(f.dhR), A: frame(f.authR), K: frame(f.ack) };
  const ours = { h: send(f.helloI), d: send(f.dhI), a: send(f.authI), m: send(f.message) };

  const failed = (
    step: InitiatorPhase,
    failure: Failure,
    peer: string | undefined = step === 'awaitingHello' ? undefined : 'bob',
  ): InitiatorEvent => ({
    kind: 'failed',
    failure,
    step,
    delivery: step === 'awaitingAck' ? 'unknown' : 'not_delivered',
    peer,
  });

  const expectFlow = (
    peer: string,
    expected: string,
    x: Inbound | undefined,
    more: Record<string, unknown>,
    options: Omit<Parameters<typeof initiatorEffects$>[2], 'scheduler'> = {},
  ) =>
    marbles((scheduler, { cold, expectObservable }) => {
      const inbound$ = cold(peer, { ...peerFrames, ...(x ? { X: x } : {}) });
      const effects$ = initiatorEffects$(v, inbound$, { scheduler, ...options });
      expectObservable(effects$).toBe(expected, { ...ours, x: CLOSE, ...more });
    });

  const expectRejection = (
    peer: string,
    expected: string,
    x: Inbound,
    step: InitiatorPhase,
    code: ErrorCode,
    message: string,
  ) =>
    expectFlow(peer, expected, x, {
      e: answer(code, message),
      r: emit(failed(step, rejected(code, message))),
    });

  it('delivers: the vector frames, then reports delivery on the verified ack', () => {
    expectFlow('-H-D-A-K', 'hd-a-m-(rx|)', undefined, {
      r: emit({ kind: 'delivered', msgId, peer: 'bob' }),
    });
  });

  it('probes: after the responder proved itself, bye and probe_ok', () => {
    expectFlow(
      '-H-D-A',
      'hd-a-(brx|)',
      undefined,
      { b: send(f.bye), r: emit({ kind: 'probe_ok', peer: 'bob' }) },
      { params: initiatorParams(v, { intent: { kind: 'probe' } }) },
    );
  });

  it('unmasks an impostor responder: a wrong proof_R is auth_failed, no message sent', () => {
    const forged = frame({ type: 'auth', proof: '0'.repeat(64) });
    expectRejection(
      '-H-D-X',
      'hd-a-(erx|)',
      forged,
      'awaitingAuth',
      'auth_failed',
      'the peer could not prove that it knows the shared password',
    );
  });

  it('aborts when the peer at the address is not the contact it meant', () => {
    const carol = frame({ ...f.helloR, from: 'carol' });
    expectRejection(
      '-X',
      'h(erx|)',
      carol,
      'awaitingHello',
      'unknown_recipient',
      'the peer at that address is carol, not bob',
    );
  });

  it('sends to: null for a destination entered by hand, and takes whoever answers', () => {
    const params = initiatorParams(v, { expectedPeer: undefined });
    expectFlow(
      '-H-D-A-K',
      'hd-a-m-(rx|)',
      undefined,
      { h: send({ ...f.helloI, to: null }), r: emit({ kind: 'delivered', msgId, peer: 'bob' }) },
      { params },
    );
  });

  it('rejects a responder speaking version 2', () => {
    const hello = frame({ ...f.helloR, version: 2 });
    expectRejection(
      '-X',
      'h(erx|)',
      hello,
      'awaitingHello',
      'version_unsupported',
      'this peer speaks version 1',
    );
  });

  it('rejects a responder answering with another group', () => {
    const other = v.group === 'modp14' ? 'x25519' : 'modp14';
    const dh = frame({ type: 'dh', group: other, public: '09'.repeat(32) });
    expectRejection(
      '-H-X',
      'hd-(erx|)',
      dh,
      'awaitingDh',
      'unsupported_group',
      `asked for ${v.group}, the peer answered ${other}`,
    );
  });

  it("rejects the responder's public value 1: bad_public_key", () => {
    const size = v.group === 'modp14' ? 256 : 32;
    const one = Buffer.alloc(size);
    one[v.group === 'modp14' ? size - 1 : 0] = 1;
    const message = {
      modp14: 'the modp14 public value must be between 2 and p-2',
      x25519: 'the x25519 public value gives an all-zero shared secret',
      // 1 is odd: a negative field element, never a canonical ristretto255 encoding.
      'cpace-ristretto255':
        'the cpace-ristretto255 public value is not a canonical ristretto255 encoding',
    }[v.group];
    const dh = frame({ ...f.dhR, public: one.toString('hex') });
    expectRejection('-H-X', 'hd-(erx|)', dh, 'awaitingDh', 'bad_public_key', message);
  });

  // CPace only: its own way of failing.
  if (v.group === 'cpace-ristretto255')
    it("rejects the responder's identity element: bad_public_key", () => {
      const dh = frame({ ...f.dhR, public: '00'.repeat(32) });
      expectRejection(
        '-H-X',
        'hd-(erx|)',
        dh,
        'awaitingDh',
        'bad_public_key',
        'the cpace-ristretto255 public value is the identity element',
      );
    });

  describe('an ack that does not verify leaves the delivery unknown', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['a forged MAC', { ...f.ack, hmac: '1'.repeat(64) }],
      ['another msg_id', { ...f.ack, msg_id: '00000000-0000-4000-8000-000000000000' }],
      ['another status', { ...f.ack, status: 'read' }],
    ];
    for (const [name, ack] of cases) {
      it(name, () => {
        expectRejection(
          '-H-D-A-X',
          'hd-a-m-(erx|)',
          frame(ack),
          'awaitingAck',
          'bad_mac',
          'the acknowledgement did not verify',
        );
      });
    }
  });

  describe('frames out of order are unexpected_frame', () => {
    const all: Record<string, Frame> = {
      hello: f.helloR,
      dh: f.dhR,
      auth: f.authR,
      message: f.message,
      bye: f.bye,
      ack: f.ack,
    };
    const steps: [InitiatorPhase, string, string, string][] = [
      ['awaitingHello', '', 'h', 'hello'],
      ['awaitingDh', 'H', 'hd', 'dh'],
      ['awaitingAuth', 'HD', 'hd-a', 'auth'],
      ['awaitingAck', 'HDA', 'hd-a-m', 'ack'],
    ];
    for (const [step, prefix, sent, expected] of steps) {
      for (const [type, wrong] of Object.entries(all)) {
        if (type === expected) continue;
        it(`${type} while ${step}`, () => {
          const peer = `-${[...prefix].map((c) => `${c}-`).join('')}X`;
          expectRejection(
            peer,
            `${sent}${prefix === '' ? '' : '-'}(erx|)`,
            frame(wrong),
            step,
            'unexpected_frame',
            `expected ${expected}, got ${type}`,
          );
        });
      }
    }
  });

  describe('the peer closing at each step', () => {
    const cases: [InitiatorPhase, string, string][] = [
      ['awaitingHello', '-|', 'h(rx|)'],
      ['awaitingDh', '-H|', 'hd(rx|)'],
      ['awaitingAuth', '-H-D|', 'hd-a(rx|)'],
      ['awaitingAck', '-H-D-A|', 'hd-a-m(rx|)'],
    ];
    for (const [step, peer, expected] of cases) {
      const delivery = step === 'awaitingAck' ? 'unknown' : 'not delivered';
      it(`while ${step}: reported as ${delivery}`, () => {
        expectFlow(peer, expected, undefined, { r: emit(failed(step, { cause: 'closed' })) });
      });
    }
  });

  describe('a step deadline in virtual time', () => {
    const cases: [InitiatorPhase, string, string][] = [
      ['awaitingHello', '', 'h 99ms (erx|)'],
      ['awaitingDh', '-H', 'hd 99ms (erx|)'],
      ['awaitingAuth', '-H-D', 'hd-a 99ms (erx|)'],
      ['awaitingAck', '-H-D-A', 'hd-a-m 99ms (erx|)'],
    ];
    for (const [step, peer, expected] of cases) {
      it(`while ${step}: timeout after 100 ms of silence`, () => {
        expectFlow(
          peer,
          expected,
          undefined,
          {
            e: answer('timeout', 'no frame within the step deadline'),
            r: emit(failed(step, { cause: 'timeout' })),
          },
          { stepDeadlineMs: 100 },
        );
      });
    }
  });

  it("reports the responder's error frame as its words (busy), answering nothing", () => {
    const busy = frame({ type: 'error', code: 'busy', message: 'too many connections' });
    expectFlow('-X', 'h(rx|)', busy, {
      r: emit(
        failed('awaitingHello', {
          cause: 'peer_error',
          code: 'busy',
          message: 'too many connections',
        }),
      ),
    });
  });
});

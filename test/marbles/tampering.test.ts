/**
 * An attacker on the path: the two actors wired back to back, one field of one frame changed
 * in flight. Each change must end the exchange with the right error code and nothing shown;
 * the initiator reports a message it had written as "unknown", never as delivered.
 */
import { describe, expect, it } from 'vitest';
import type { InitiatorEvent } from '../../src/actors/initiator.js';
import type { ResponderEvent } from '../../src/actors/responder.js';
import {
  initiatorDeps,
  initiatorParams,
  responderConfig,
  responderDeps,
  vectorLookup,
} from '../support/actors.js';
import { flipChar } from '../support/flip-char.js';
import { type Direction, link, type Tamper } from '../support/link.js';
import { marbles } from '../support/marbles.js';
import { VECTORS } from '../support/vectors.js';

type Json = Record<string, unknown>;

/** Change `frameType` frames going `direction` with `change`. */
const onFrame =
  (direction: Direction, frameType: string, change: (f: Json) => Json): Tamper =>
  (f, d) =>
    d === direction && f.type === frameType ? change(f) : f;

const inHeader = (change: (h: Json) => Json) => (f: Json) => ({
  ...f,
  header: change(f.header as Json),
});
const inSecurity = (change: (s: Json) => Json) => (f: Json) => ({
  ...f,
  security: change(f.security as Json),
});

const ORDERS = [
  ['lock-step', false],
  ['the fast order', true],
] as const;

describe.each(
  VECTORS.flatMap((v) => ORDERS.map(([order, fast]) => [v.group, order, v, fast] as const)),
)('tampering, %s, %s', (_, __, v, fast) => {
  /**
   * The fast order with CPace writes the message with proof_I, before proof_R; a responder that
   * refuses the handshake with an error frame has not read it, so it is "not delivered" still.
   */
  const beforeMessage = 'not_delivered';
  const early = fast && v.group === 'cpace-ristretto255';
  /**
   * A public value that the group accepts but that is not the one sent. One flipped bit does
   * for modp14 and x25519; most ristretto255 bit flips give no canonical encoding at all
   * (bad_public_key, tested apart), so CPace gets another valid element: the vector's other one.
   */
  const anotherPublic = (value: string): string =>
    v.group !== 'cpace-ristretto255'
      ? flipChar(value, 10)
      : value === v.initiator.public
        ? v.responder.public
        : v.initiator.public;

  /** Runs the exchange with `tamper` and returns what each side published. */
  const exchange = (spec: {
    tamper?: Tamper;
    secret?: string;
    responderSecret?: string;
  }): { initiator: InitiatorEvent[]; responder: ResponderEvent[] } => {
    const events = { initiator: [] as InitiatorEvent[], responder: [] as ResponderEvent[] };
    marbles((scheduler) => {
      const rDeps = responderDeps(v);
      const wire = link({
        scheduler,
        tamper: spec.tamper,
        initiator: {
          params: initiatorParams(v, spec.secret ? { secret: spec.secret, fast } : { fast }),
          deps: initiatorDeps(v),
        },
        responder: {
          config: responderConfig(v),
          deps: rDeps,
          lookup: spec.responderSecret
            ? () => ({ kind: 'contact', secret: spec.responderSecret })
            : vectorLookup(v),
        },
      });
      wire.initiatorEvents$.subscribe((e) => events.initiator.push(e));
      wire.responderEvents$.subscribe((e) => events.responder.push(e));
    });
    return events;
  };

  /** The responder rejected with `code` at `step`; the initiator heard its words. */
  const expectRejected = (
    events: ReturnType<typeof exchange>,
    code: string,
    step: string,
    delivery: 'unknown' | 'not_delivered',
  ) => {
    expect(events.responder).toEqual([
      expect.objectContaining({
        kind: 'rejected',
        step,
        failure: expect.objectContaining({ cause: 'rejected', code }),
      }),
    ]);
    expect(events.initiator).toEqual([
      expect.objectContaining({
        kind: 'failed',
        delivery,
        failure: expect.objectContaining({ cause: 'peer_error', code }),
      }),
    ]);
  };

  it('untouched, the exchange delivers (the baseline for every case below)', () => {
    const events = exchange({});
    expect(events.initiator.map((e) => e.kind)).toEqual(['delivered']);
    expect(events.responder.map((e) => e.kind)).toEqual(['received']);
  });

  it('the initiator with a wrong secret is refused at auth, before the responder proves anything', () => {
    expectRejected(
      exchange({ secret: 'wrong horse' }),
      'auth_failed',
      'awaitingAuth',
      beforeMessage,
    );
  });

  it('a responder with another secret for alice refuses her at auth', () => {
    expectRejected(
      exchange({ responderSecret: 'another' }),
      'auth_failed',
      'awaitingAuth',
      beforeMessage,
    );
  });

  describe('the message frame', () => {
    const cases: [string, (f: Json) => Json, string][] = [
      ['ciphertext', (f) => ({ ...f, message: flipChar(f.message as string, 3) }), 'bad_mac'],
      ['hmac', inSecurity((s) => ({ ...s, hmac: flipChar(s.hmac as string) })), 'bad_mac'],
      [
        'header.msg_id',
        inHeader((h) => ({ ...h, msg_id: flipChar(h.msg_id as string) })),
        'bad_mac',
      ],
      ['header.from', inHeader((h) => ({ ...h, from: 'mallory' })), 'bad_mac'],
      ['header.to', inHeader((h) => ({ ...h, to: 'carol' })), 'bad_mac'],
      [
        'header.timestamp',
        inHeader((h) => ({ ...h, timestamp: '2026-11-21T12:00:01.000Z' })),
        'bad_mac',
      ],
      ['header.length', inHeader((h) => ({ ...h, length: (h.length as number) + 1 })), 'bad_mac'],
      [
        'security.hmac_type',
        inSecurity((s) => ({ ...s, hmac_type: 'MD5' })),
        'inconsistent_header',
      ],
      [
        'security.enc_type',
        inSecurity((s) => ({ ...s, enc_type: 'AES128ECB' })),
        'inconsistent_header',
      ],
    ];
    for (const [field, change, code] of cases) {
      it(`${field} changed: ${code}, nothing shown, delivery unknown`, () => {
        const events = exchange({ tamper: onFrame('toResponder', 'message', change) });
        expectRejected(events, code, 'awaitingMessage', 'unknown');
      });
    }
  });

  describe('the handshake', () => {
    const cases: [string, Direction, string, (f: Json) => Json][] = [
      [
        "the initiator's nonce",
        'toResponder',
        'hello',
        (f) => ({ ...f, nonce: flipChar(f.nonce as string) }),
      ],
      [
        "the responder's nonce",
        'toInitiator',
        'hello',
        (f) => ({ ...f, nonce: flipChar(f.nonce as string) }),
      ],
      [
        "the initiator's public value",
        'toResponder',
        'dh',
        (f) => ({ ...f, public: anotherPublic(f.public as string) }),
      ],
      [
        "the responder's public value",
        'toInitiator',
        'dh',
        (f) => ({ ...f, public: anotherPublic(f.public as string) }),
      ],
      [
        "the initiator's proof",
        'toResponder',
        'auth',
        (f) => ({ ...f, proof: flipChar(f.proof as string) }),
      ],
    ];
    for (const [what, direction, type, change] of cases) {
      it(`${what} changed: auth_failed at the responder`, () => {
        const events = exchange({ tamper: onFrame(direction, type, change) });
        expectRejected(events, 'auth_failed', 'awaitingAuth', beforeMessage);
      });
    }

    it("the responder's proof changed: the initiator refuses it and sends no message", () => {
      const change = (f: Json) => ({ ...f, proof: flipChar(f.proof as string) });
      const events = exchange({ tamper: onFrame('toInitiator', 'auth', change) });
      if (early) {
        // CPace's fast order: the message went with proof_I, which bob verified: he shows it.
        expect(events.responder.map((e) => e.kind)).toEqual(['received']);
        expect(events.initiator).toEqual([
          expect.objectContaining({ kind: 'failed', step: 'awaitingAuth', delivery: 'unknown' }),
        ]);
        return;
      }
      expect(events.initiator).toEqual([
        expect.objectContaining({
          kind: 'failed',
          step: 'awaitingAuth',
          delivery: 'not_delivered',
          failure: expect.objectContaining({ cause: 'rejected', code: 'auth_failed' }),
        }),
      ]);
      expect(events.responder).toEqual([
        expect.objectContaining({
          kind: 'rejected',
          failure: expect.objectContaining({ cause: 'peer_error' }),
        }),
      ]);
    });
  });

  // CPace only: its own way of failing.
  if (v.group === 'cpace-ristretto255')
    it("the initiator's public value flipped to no canonical encoding: bad_public_key, at once", () => {
      // 0x01 in the first byte makes the field element odd: never a canonical encoding.
      const change = (f: Json) => ({ ...f, public: `01${(f.public as string).slice(2)}` });
      const events = exchange({ tamper: onFrame('toResponder', 'dh', change) });
      expectRejected(events, 'bad_public_key', 'awaitingDh', beforeMessage);
    });

  it('the ack changed: the message was received, but the initiator reports it as unknown', () => {
    const change = (f: Json) => ({ ...f, hmac: flipChar(f.hmac as string) });
    const events = exchange({ tamper: onFrame('toInitiator', 'ack', change) });
    expect(events.responder.map((e) => e.kind)).toEqual(['received']);
    expect(events.initiator).toEqual([
      expect.objectContaining({
        kind: 'failed',
        delivery: 'unknown',
        failure: expect.objectContaining({ cause: 'rejected', code: 'bad_mac' }),
      }),
    ]);
  });
});

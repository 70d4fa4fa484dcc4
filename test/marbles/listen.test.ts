/**
 * The auth's `listen` (a contact that follows a move): the initiator carries it in both
 * orders, the responder reports it (`listens`) only once proof_I and its MAC verified; a
 * tampered one is bad_mac with nothing reported, an auth without one reports nothing.
 * Letters as in responder.test.ts; L is the `listens` report.
 */
import { describe, expect, it } from 'vitest';
import { startInitiator, stepInitiator } from '../../src/actors/initiator.js';
import type { Effect, Inbound } from '../../src/actors/types.js';
import type { Frame } from '../../src/codecs/frames.js';
import { listenMac } from '../../src/crypto/channel.js';
import type { SessionKeys } from '../../src/crypto/schedule.js';
import { initiatorDeps, initiatorParams, vectorFrames } from '../support/actors.js';
import { marbles } from '../support/marbles.js';
import {
  answer,
  CLOSE,
  emit,
  frame,
  rejected,
  responderEffects$,
  send,
} from '../support/scripted.js';
import { VECTORS } from '../support/vectors.js';

const keysOf = (v: (typeof VECTORS)[number]): SessionKeys => ({
  enc: Buffer.from(v.keys.enc, 'hex'),
  iv: Buffer.from(v.keys.iv, 'hex'),
  mac: Buffer.from(v.keys.mac, 'hex'),
  auth: Buffer.from(v.keys.auth, 'hex'),
});

const framesOf = (effects: readonly Effect<unknown>[]): Frame[] =>
  effects.flatMap((e) => (e.kind === 'send' ? [e.frame] : []));

describe.each(VECTORS.map((v) => [v.group, v] as const))('listen, %s', (_, v) => {
  const f = vectorFrames(v);
  const hmac = listenMac(keysOf(v), v.transcript_hash, 5002);
  const listening = { ...f.authI, listen: { port: 5002, hmac } };
  const inbound = { h: frame(f.helloI), d: frame(f.dhI), m: frame(f.message) };
  const replies = { H: send(f.helloR), D: send(f.dhR), A: send(f.authR), x: CLOSE };
  const received = {
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
  const flow = (x: Inbound, expected: string, more: Record<string, unknown>) =>
    marbles((scheduler, { cold, expectObservable }) => {
      const inbound$ = cold('-h-d-X----m', { ...inbound, X: x });
      expectObservable(responderEffects$(v, inbound$, { scheduler })).toBe(expected, {
        ...replies,
        ...more,
      });
    });

  it('reports the told port after proof_I verified, before its own proof goes', () => {
    flow(frame(listening), '-H-D-(LA)-(rKx|)', {
      L: { kind: 'listens', username: 'alice', port: 5002 },
      K: send(f.ack),
      r: emit(received),
    });
  });

  it('a port changed on the path (its MAC kept) is bad_mac, and nothing is reported', () => {
    const tampered = { ...f.authI, listen: { port: 5003, hmac } };
    const message = 'the listening port in the auth did not verify';
    flow(frame(tampered), '-H-D-(erx|)', {
      e: answer('bad_mac', message),
      r: emit({
        kind: 'rejected',
        failure: rejected('bad_mac', message),
        step: 'awaitingAuth',
        peer: 'alice',
        stranger: false,
      }),
    });
  });

  it('an auth without listen is answered exactly as before, with nothing reported', () => {
    flow(frame(f.authI), '-H-D-A----(rKx|)', { K: send(f.ack), r: emit(received) });
  });

  it('a wrong proof with a valid listen is auth_failed: the port is never reported', () => {
    const wrong = { ...listening, proof: 'ab'.repeat(32) };
    flow(frame(wrong), '-H-D-(erx|)', {
      e: answer('auth_failed', 'authentication failed'),
      r: emit({
        kind: 'rejected',
        failure: rejected('auth_failed', 'authentication failed'),
        step: 'awaitingAuth',
        peer: 'alice',
        stranger: false,
      }),
    });
  });

  it('the initiator carries listen in its auth, in lock-step', () => {
    const deps = initiatorDeps(v);
    const params = initiatorParams(v, { listen: 5002 });
    const [s0] = startInitiator(params, deps);
    const [s1] = stepInitiator(s0, frame(f.helloR), deps);
    const [, effects] = stepInitiator(s1, frame(f.dhR), deps);
    expect(framesOf(effects)).toEqual([
      { type: 'auth', proof: v.proof_initiator, listen: { port: 5002, hmac } },
    ]);
  });

  it('and in the fast order (dh, auth with listen, then the rest)', () => {
    const deps = initiatorDeps(v);
    const params = initiatorParams(v, { listen: 5002, fast: true });
    const [s0] = startInitiator(params, deps);
    const [s1] = stepInitiator(s0, frame({ ...f.helloR, group: v.group }), deps);
    const [, effects] = stepInitiator(s1, frame(f.dhR), deps);
    const frames = framesOf(effects);
    expect(frames[0]).toEqual(f.dhI);
    expect(frames[1]).toEqual({
      type: 'auth',
      proof: v.proof_initiator,
      listen: { port: 5002, hmac },
    });
  });

  it("without a listening port, the auth is lock-step's own, byte for byte", () => {
    const deps = initiatorDeps(v);
    const [s0] = startInitiator(initiatorParams(v), deps);
    const [s1] = stepInitiator(s0, frame(f.helloR), deps);
    const [, effects] = stepInitiator(s1, frame(f.dhR), deps);
    expect(JSON.stringify(framesOf(effects)[0])).toBe(JSON.stringify(f.authI));
  });
});

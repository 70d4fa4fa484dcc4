/**
 * Whole exchanges between the two actors, wired back to back in virtual time: one virtual
 * millisecond per hop, every frame serialised and decoded on the way. With the vectors' keys,
 * nonces and clock, every frame on the wire is the vector's own.
 */
import { describe, it } from 'vitest';
import {
  initiatorDeps,
  initiatorParams,
  responderConfig,
  responderDeps,
  vectorFrames,
  vectorLookup,
} from '../support/actors.js';
import { link } from '../support/link.js';
import { marbles } from '../support/marbles.js';
import { VECTORS } from '../support/vectors.js';

describe.each(VECTORS.map((v) => [v.group, v] as const))('parley/1 over %s', (_, v) => {
  const f = vectorFrames(v);
  const { msg_id: msgId, timestamp } = v.message_frame.header;

  it('delivers a message: the vector frames in lock-step, a verified ack, both sides close', () => {
    marbles((scheduler, { expectObservable }) => {
      const wire = link({
        scheduler,
        initiator: { params: initiatorParams(v), deps: initiatorDeps(v) },
        responder: { config: responderConfig(v), deps: responderDeps(v), lookup: vectorLookup(v) },
      });
      // biome-ignore format: one timeline, read top to bottom
      const timeline = {
        toResponder:     '-h-d-a-m-|',
        toInitiator:     '--H-D-A-(K|)',
        responderEvents: '-------(r|)',
        initiatorEvents: '--------(d|)',
      };
      const received = { from: 'alice', to: 'bob', text: v.plaintext, msgId, timestamp };
      expectObservable(wire.toResponder$).toBe(timeline.toResponder, {
        h: f.helloI,
        d: f.dhI,
        a: f.authI,
        m: f.message,
      });
      expectObservable(wire.toInitiator$).toBe(timeline.toInitiator, {
        H: f.helloR,
        D: f.dhR,
        A: f.authR,
        K: f.ack,
      });
      expectObservable(wire.responderEvents$).toBe(timeline.responderEvents, {
        r: { kind: 'received', message: { ...received, clockSkewMs: 0 } },
      });
      expectObservable(wire.initiatorEvents$).toBe(timeline.initiatorEvents, {
        d: { kind: 'delivered', msgId, peer: 'bob' },
      });
    });
  });

  it('probes presence: the handshake, then bye and no ack', () => {
    marbles((scheduler, { expectObservable }) => {
      const wire = link({
        scheduler,
        initiator: {
          params: initiatorParams(v, { intent: { kind: 'probe' } }),
          deps: initiatorDeps(v),
        },
        responder: { config: responderConfig(v), deps: responderDeps(v), lookup: vectorLookup(v) },
      });
      // biome-ignore format: one timeline, read top to bottom
      const timeline = {
        toResponder:     '-h-d-a-(b|)',
        toInitiator:     '--H-D-A-|',
        initiatorEvents: '------(p|)',
        responderEvents: '-------(s|)',
      };
      expectObservable(wire.toResponder$).toBe(timeline.toResponder, {
        h: f.helloI,
        d: f.dhI,
        a: f.authI,
        b: f.bye,
      });
      expectObservable(wire.toInitiator$).toBe(timeline.toInitiator, {
        H: f.helloR,
        D: f.dhR,
        A: f.authR,
      });
      expectObservable(wire.initiatorEvents$).toBe(timeline.initiatorEvents, {
        p: { kind: 'probe_ok', peer: 'bob' },
      });
      expectObservable(wire.responderEvents$).toBe(timeline.responderEvents, {
        s: { kind: 'presence', from: 'alice' },
      });
    });
  });
});

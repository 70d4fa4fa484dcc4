/**
 * The fast order (docs/PROTOCOL.md): the initiator's hello offers its group, a responder that
 * takes it echoes it and writes its dh at once, the initiator writes dh + auth together, with
 * CPace the message too. One virtual millisecond per hop, so the timelines count the waits:
 * delivered at 4 ms with CPace and 6 ms with modp14/x25519, against lock-step's 8. And both
 * fallbacks: a responder that does not echo (an older peer, or the offer removed on the path),
 * and an initiator that does not offer.
 */
import { describe, expect, it } from 'vitest';
import type { InitiatorEvent } from '../../src/actors/initiator.js';
import type { ResponderEvent } from '../../src/actors/responder.js';
import type { Frame } from '../../src/codecs/frames.js';
import {
  initiatorDeps,
  initiatorParams,
  responderConfig,
  responderDeps,
  vectorFrames,
  vectorLookup,
} from '../support/actors.js';
import { link, type Tamper } from '../support/link.js';
import { marbles } from '../support/marbles.js';
import { frame, initiatorEffects$ } from '../support/scripted.js';
import { VECTORS } from '../support/vectors.js';

describe.each(VECTORS.map((v) => [v.group, v] as const))('the fast order, %s', (group, v) => {
  const f = vectorFrames(v);
  const cpace = group === 'cpace-ristretto255';
  const offer = { ...f.helloI, group } as Frame;
  const echo = { ...f.helloR, group } as Frame;
  const { msg_id: msgId } = v.message_frame.header;

  /** Runs both actors over the link; what each side received, and when it ended. */
  const wired = (fast: boolean, tamper?: Tamper) => {
    const seen = {
      toResponder: [] as Frame[],
      toInitiator: [] as Frame[],
      initiator: [] as [number, InitiatorEvent][],
      responder: [] as [number, ResponderEvent][],
    };
    marbles((scheduler) => {
      const wire = link({
        scheduler,
        tamper,
        initiator: { params: initiatorParams(v, { fast }), deps: initiatorDeps(v) },
        responder: { config: responderConfig(v), deps: responderDeps(v), lookup: vectorLookup(v) },
      });
      wire.toResponder$.subscribe((x) => seen.toResponder.push(x));
      wire.toInitiator$.subscribe((x) => seen.toInitiator.push(x));
      wire.initiatorEvents$.subscribe((e) => seen.initiator.push([scheduler.now(), e]));
      wire.responderEvents$.subscribe((e) => seen.responder.push([scheduler.now(), e]));
    });
    return seen;
  };

  it(`delivers in ${cpace ? 2 : 3} round trips: the timeline, frame by frame`, () => {
    const at = (seen: Frame[], times: number[]) => seen.map((x, i) => `${times[i]} ${x.type}`);
    const times = { toResponder: [] as number[], toInitiator: [] as number[] };
    const seen = { toResponder: [] as Frame[], toInitiator: [] as Frame[] };
    const ends: string[] = [];
    marbles((scheduler) => {
      const wire = link({
        scheduler,
        initiator: { params: initiatorParams(v, { fast: true }), deps: initiatorDeps(v) },
        responder: { config: responderConfig(v), deps: responderDeps(v), lookup: vectorLookup(v) },
      });
      for (const d of ['toResponder', 'toInitiator'] as const) {
        wire[`${d}$`].subscribe((x) => {
          seen[d].push(x);
          times[d].push(scheduler.now());
        });
      }
      wire.initiatorEvents$.subscribe((e) => ends.push(`${scheduler.now()} ${e.kind}`));
      wire.responderEvents$.subscribe((e) => ends.push(`${scheduler.now()} ${e.kind}`));
    });
    // Each hop takes 1 ms: a round trip is 2.
    if (cpace) {
      expect(at(seen.toResponder, times.toResponder)).toEqual([
        '1 hello',
        '3 dh',
        '3 auth',
        '3 message',
      ]);
      expect(at(seen.toInitiator, times.toInitiator)).toEqual([
        '2 hello',
        '2 dh',
        '4 auth',
        '4 ack',
      ]);
      expect(ends).toEqual(['3 received', '4 delivered']);
    } else {
      expect(at(seen.toResponder, times.toResponder)).toEqual([
        '1 hello',
        '3 dh',
        '3 auth',
        '5 message',
      ]);
      expect(at(seen.toInitiator, times.toInitiator)).toEqual([
        '2 hello',
        '2 dh',
        '4 auth',
        '6 ack',
      ]);
      expect(ends).toEqual(['5 received', '6 delivered']);
    }
    expect(seen.toResponder).toEqual([offer, f.dhI, f.authI, f.message]);
    expect(seen.toInitiator).toEqual([echo, f.dhR, f.authR, f.ack]);
  });

  it("the frames' values are lock-step's, byte for byte: only the offer and its echo are new", () => {
    const fast = wired(true);
    const lockStep = wired(false);
    const withoutGroup = (x: Frame) => (x.type === 'hello' ? { ...x, group: undefined } : x);
    expect(fast.toResponder.map(withoutGroup)).toEqual(lockStep.toResponder.map(withoutGroup));
    expect(fast.toInitiator.map(withoutGroup)).toEqual(lockStep.toInitiator.map(withoutGroup));
    expect(lockStep.toResponder).toEqual([f.helloI, f.dhI, f.authI, f.message]);
    expect(fast.toResponder[0]).toEqual(offer);
    expect(fast.toInitiator[0]).toEqual(echo);
  });

  it('a fast initiator and a responder that does not echo (the offer removed): lock-step, delivered', () => {
    const strip: Tamper = (x, d) =>
      d === 'toResponder' && x.type === 'hello' ? { ...x, group: undefined } : x;
    const seen = wired(true, strip);
    expect(seen.toResponder).toEqual([f.helloI, f.dhI, f.authI, f.message]);
    expect(seen.toInitiator).toEqual([f.helloR, f.dhR, f.authR, f.ack]);
    // Four round trips again: a downgrade costs time, nothing else.
    expect(seen.initiator).toEqual([[8, { kind: 'delivered', msgId, peer: 'bob' }]]);
  });

  it('a lock-step initiator and a responder that speaks the fast order: lock-step, delivered', () => {
    const seen = wired(false);
    expect(seen.toResponder).toEqual([f.helloI, f.dhI, f.authI, f.message]);
    expect(seen.toInitiator).toEqual([f.helloR, f.dhR, f.authR, f.ack]);
    expect(seen.initiator).toEqual([[8, { kind: 'delivered', msgId, peer: 'bob' }]]);
  });

  it('an offer changed on the path to another group: refused, nothing delivered', () => {
    const other = group === 'x25519' ? 'modp14' : 'x25519';
    const change: Tamper = (x, d) =>
      d === 'toResponder' && x.type === 'hello' ? { ...x, group: other } : x;
    const seen = wired(true, change);
    // bob takes the changed offer and echoes it; alice never uses a group she did not offer.
    expect(seen.initiator).toEqual([
      [
        2,
        expect.objectContaining({
          kind: 'failed',
          delivery: 'not_delivered',
          failure: expect.objectContaining({ cause: 'rejected', code: 'unsupported_group' }),
        }),
      ],
    ]);
    expect(seen.responder.map(([, e]) => e.kind)).toEqual(['rejected']);
  });

  it('an echo changed on the path: the initiator refuses it before writing anything else', () => {
    const change: Tamper = (x, d) =>
      d === 'toInitiator' && x.type === 'hello' ? { ...x, group: 'rot13' } : x;
    const seen = wired(true, change);
    expect(seen.toResponder.map((x) => x.type)).toEqual(['hello', 'error']);
    expect(seen.initiator[0]![1]).toMatchObject({
      kind: 'failed',
      failure: { code: 'unsupported_group' },
    });
  });

  it('a dh whose group is not the offered one: unexpected_frame at the responder', () => {
    const other = group === 'x25519' ? 'modp14' : 'x25519';
    const change: Tamper = (x, d) =>
      d === 'toResponder' && x.type === 'dh' ? { ...x, group: other } : x;
    const seen = wired(true, change);
    expect(seen.responder[0]![1]).toMatchObject({
      kind: 'rejected',
      failure: { code: 'unexpected_frame' },
    });
  });

  /** The initiator against a scripted responder: what it sends, and when. */
  const initiatorSends = (script: string, values: Record<string, Frame>) => {
    const out: string[] = [];
    marbles((scheduler, { cold }) => {
      const peer = cold(
        script,
        Object.fromEntries(Object.entries(values).map(([k, x]) => [k, frame(x)])),
      );
      initiatorEffects$(v, peer, {
        scheduler,
        params: initiatorParams(v, { fast: true }),
      }).subscribe((e) => {
        if (e.kind === 'send') out.push(`${scheduler.now()} ${e.frame.type}`);
      });
    });
    return out;
  };
  const hd = { h: echo, d: f.dhR };

  if (!cpace) {
    it('never writes the message before proof_R verified (an impostor could crack proof_I offline)', () => {
      const wrong = { type: 'auth', proof: 'f'.repeat(64) } as Frame;
      // Hello and dh at 1, a wrong proof at 3: dh + auth, then only the error frame.
      expect(initiatorSends('-(hd)a', { ...hd, a: wrong })).toEqual([
        '0 hello',
        '1 dh',
        '1 auth',
        '5 error',
      ]);
      // And when proof_R never comes: no message either.
      expect(initiatorSends('-(hd)', hd).filter((x) => x.endsWith('message'))).toEqual([]);
    });

    it('writes the message once proof_R verified', () => {
      expect(initiatorSends('-(hd)a', { ...hd, a: f.authR }).slice(0, 4)).toEqual([
        '0 hello',
        '1 dh',
        '1 auth',
        '5 message',
      ]);
    });
  } else {
    it("writes dh, auth and the message in one flight, once it has checked the responder's dh", () => {
      expect(initiatorSends('-(hd)', hd).slice(0, 4)).toEqual([
        '0 hello',
        '1 dh',
        '1 auth',
        '1 message',
      ]);
    });
  }

  it('a probe: bye instead of the message, and presence once proven', () => {
    const events: string[] = [];
    marbles((scheduler) => {
      const wire = link({
        scheduler,
        initiator: {
          params: initiatorParams(v, { fast: true, intent: { kind: 'probe' } }),
          deps: initiatorDeps(v),
        },
        responder: { config: responderConfig(v), deps: responderDeps(v), lookup: vectorLookup(v) },
      });
      wire.initiatorEvents$.subscribe((e) => events.push(e.kind));
      wire.responderEvents$.subscribe((e) => events.push(e.kind));
    });
    expect(events.sort()).toEqual(['presence', 'probe_ok']);
  });
});

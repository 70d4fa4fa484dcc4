/**
 * A peer that disconnects at each step, in each role, gracefully (FIN) or not (RST): the node
 * reports clearly where it was, says "unknown" once a message was out, keeps serving, and
 * leaves no handle behind once closed.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResponderEvent } from '../../src/actors/responder.js';
import { liveHandles, startNode } from '../support/nodes.js';
import { SECRET, scene } from './support/scene.js';
import { authFrame, messageFrame, rawInitiator, rawResponder } from './support/speaker.js';
import {
  CONTACT,
  dial,
  eventually,
  LOCALHOST,
  rawServer,
  sleep,
  tracker,
  type Wire,
} from './support/wire.js';

const track = tracker();
const { setUp, track: keep, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

type Leave = 'end' | 'destroy';
const leave = (wire: Wire, how: Leave): void => {
  if (how === 'end') wire.socket.end();
  else wire.socket.destroy();
};

/** No more handles than before, once everything is closed (bounded wait). */
const expectNoLeak = async (before: number) => {
  await Promise.all([cleanUp(), track.cleanUp()]);
  await eventually(() => liveHandles().length <= before, 3_000, 'handles released');
};

const RESPONDER_STEPS = [
  'awaitingHello',
  'awaitingHello (half a line)',
  'awaitingDh',
  'awaitingAuth',
  'awaitingMessage',
  'awaitingMessage (half a message)',
] as const;

/** A raw alice who follows the protocol up to `step`, then leaves. */
const aliceUntil = async (wire: Wire, step: (typeof RESPONDER_STEPS)[number], how: Leave) => {
  const me = rawInitiator('alice', 'bob', SECRET, 'x25519');
  if (step === 'awaitingHello (half a line)') wire.socket.write('{"type":"hel');
  if (step.startsWith('awaitingHello')) return leave(wire, how);
  wire.sendFrame(me.hello);
  const hello = await wire.next();
  if (step === 'awaitingDh') return leave(wire, how);
  wire.sendFrame(me.dh(hello));
  const session = me.session(hello, await wire.next());
  if (step === 'awaitingAuth') return leave(wire, how);
  wire.sendFrame(authFrame(session, 'initiator'));
  expect(await wire.next()).toMatchObject({ type: 'auth' });
  if (step === 'awaitingMessage (half a message)') {
    wire.socket.write(JSON.stringify(messageFrame(session, 'cut')).slice(0, 60));
  }
  leave(wire, how);
};

describe('the initiator leaves bob at each step', () => {
  const cases = RESPONDER_STEPS.flatMap((s) =>
    (['end', 'destroy'] as const).map((h) => [s, h] as const),
  );
  it.each(cases)('%s, by %s: reported as closed there, nothing shown', async (step, how) => {
    const before = liveHandles().length;
    const { bob, contactDelivers } = await setUp();
    const events: ResponderEvent[] = [];
    bob.events$.subscribe((e) => {
      if (e.kind === 'incoming') events.push(e.event);
    });
    await aliceUntil(await dial(track, bob.port, CONTACT), step, how);
    await eventually(() => events.length > 0, 3_000, 'bob reports it');
    expect(events[0]).toEqual({
      kind: 'rejected',
      failure: { cause: 'closed' },
      step: step.split(' ')[0],
      peer: step.startsWith('awaitingHello') ? undefined : 'alice',
      stranger: false,
    });
    await contactDelivers();
    await expectNoLeak(before);
  });
});

const INITIATOR_STEPS = ['awaitingHello', 'awaitingDh', 'awaitingAuth', 'awaitingAck'] as const;

/** A raw bob who answers alice up to `step`, then leaves. */
const bobUntil = async (wire: Wire, step: (typeof INITIATOR_STEPS)[number], how: Leave) => {
  const me = rawResponder('bob', SECRET);
  const hello = await wire.next();
  if (step === 'awaitingHello') return leave(wire, how);
  wire.sendFrame(me.hello(hello));
  const { frame, session } = me.dh(hello, await wire.next());
  if (step === 'awaitingDh') return leave(wire, how);
  wire.sendFrame(frame);
  await wire.next(); // her proof: not checked, this bob is leaving anyway
  if (step === 'awaitingAuth') return leave(wire, how);
  wire.sendFrame(authFrame(session, 'responder'));
  await wire.next(); // her message, never acknowledged
  leave(wire, how);
};

describe('bob leaves alice at each step', () => {
  const cases = INITIATOR_STEPS.flatMap((s) =>
    (['end', 'destroy'] as const).map((h) => [s, h] as const),
  );
  it.each(cases)('%s, by %s: a clear report, the message kept for retry', async (step, how) => {
    const before = liveHandles().length;
    const { port } = await rawServer(track, (wire) => bobUntil(wire, step, how));
    const alice = keep(await startNode({ name: 'alice', group: 'x25519' }));
    const to = { username: 'bob', host: LOCALHOST, port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to, text: 'are you there?' }));
    const wasOut = step === 'awaitingAck';
    expect(report).toMatchObject({
      outcome: wasOut ? 'unknown' : 'not_delivered',
      failure: { cause: 'closed' },
      reason:
        'bob closed the connection before the exchange was complete' +
        (wasOut ? ' (it may have received the message)' : ''),
    });
    expect(alice.outbox().map((e) => e.job.msgId)).toEqual([report.msgId]);
    await sleep(10);
    await expectNoLeak(before);
  });
});

describe('close()', () => {
  // Its deadline timer once outlived it, keeping the process alive for 5 s (fixed in a39874e).
  it('releases every handle at once, timers included', async () => {
    const timers = () => liveHandles().filter((h) => h === 'Timeout').length;
    const before = timers();
    const node = await startNode({ name: 'carol' });
    await node.close();
    await sleep(50);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

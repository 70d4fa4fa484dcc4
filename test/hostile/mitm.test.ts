/**
 * A man in the middle between two real nodes (a TCP proxy that reads every line): one field
 * of one frame changed, for every field of every frame in both directions; a captured
 * exchange replayed. Nothing tampered is ever shown or reported delivered; the sender is told
 * "unknown" once its message was out; bob keeps serving.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { GROUPS } from '../../src/codecs/formats.js';
import type { ParleyNode } from '../../src/node/node.js';
import { flip, type Json, leafPaths, updateAt } from './support/arbitraries.js';
import { type Direction, startProxy } from './support/proxy.js';
import { SECRET, scene } from './support/scene.js';
import { ATTACKER, dial, eventually, LOCALHOST, tracker } from './support/wire.js';

const track = tracker();
const { setUp, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

type Outcome = 'delivered' | 'not_delivered' | 'unknown';

// Every leaf field of every frame of a message exchange, with the direction it travels in.
const FRAMES: [Direction, Json][] = [
  ['toResponder', { type: 'hello', version: 1, from: 'a', to: 'b', nonce: '0' }],
  ['toInitiator', { type: 'hello', version: 1, from: 'a', to: 'b', nonce: '0' }],
  ['toResponder', { type: 'dh', group: 'x', public: '0' }],
  ['toInitiator', { type: 'dh', group: 'x', public: '0' }],
  ['toResponder', { type: 'auth', proof: '0' }],
  ['toInitiator', { type: 'auth', proof: '0' }],
  [
    'toResponder',
    {
      type: 'message',
      header: { msg_id: '', from: '', to: '', timestamp: '', length: 0 },
      message: '',
      security: { hmac_type: '', enc_type: '', hmac: '' },
    },
  ],
  ['toInitiator', { type: 'ack', msg_id: '', status: '', hmac: '' }],
];
const CASES = GROUPS.flatMap((group) =>
  FRAMES.flatMap(([direction, shape]) =>
    leafPaths(shape).map(
      (path) => [group, shape.type as string, direction, path.join('.')] as const,
    ),
  ),
);

/**
 * What must come of a change. The responder's `to` only echoes alice's name: it is outside
 * the transcript hash and alice does not read it (her name is proven as I.from), so the
 * exchange still succeeds; a changed ack leaves the message shown and alice in doubt.
 */
const expected = (type: string, direction: Direction, path: string) => {
  if (type === 'hello' && direction === 'toInitiator' && path === 'to') {
    return { shown: 1, outcome: 'delivered' as Outcome };
  }
  if (type === 'ack') return { shown: 1, outcome: 'unknown' as Outcome };
  if (type === 'message') return { shown: 0, outcome: 'unknown' as Outcome };
  return { shown: 0, outcome: 'not_delivered' as Outcome };
};

/** Count what bob shows. */
const shownBy = (bob: ParleyNode) => {
  const shown: string[] = [];
  bob.received$.subscribe((m) => shown.push(m.msgId));
  return shown;
};

describe('a man in the middle', () => {
  it.each(CASES)('%s: %s %s, %s changed', async (group, type, direction, path) => {
    const { bob, alice } = await setUp();
    const shown = shownBy(bob);
    let changed = false;
    const proxy = await startProxy(track, bob.port, (line, seen) => {
      const frame = JSON.parse(line) as Json;
      if (changed || seen.direction !== direction || frame.type !== type) return line;
      changed = true;
      return JSON.stringify(updateAt(frame, path.split('.'), (v) => flip(v, 5)));
    });
    const to = { username: 'bob', host: LOCALHOST, port: proxy.port, secret: SECRET };
    const report = await firstValueFrom(alice.send({ to, text: 'for bob only', group }));
    expect(changed).toBe(true);
    // The fast order with CPace writes the message with the proof, before proof_R. Where bob
    // refuses the handshake, he read nothing: not delivered, as in lock-step. Where only bob's
    // proof changed on its way back, bob had verified alice and shown the message: unknown.
    const messageOut = proxy.log.some(
      (l) => l.seen.direction === 'toResponder' && l.line.includes('"type":"message"'),
    );
    const lockStepWant = expected(type, direction, path);
    const want =
      messageOut && type === 'auth' && direction === 'toInitiator'
        ? { shown: 1, outcome: 'unknown' as Outcome }
        : lockStepWant;
    expect(report.outcome).toBe(want.outcome);
    if (want.shown > 0) await eventually(() => shown.length > 0, 2_000, 'shown');
    expect(shown).toEqual(want.shown === 1 ? [report.msgId] : []);
    if (report.outcome === 'unknown') {
      // The retry, untouched now, is delivered and still shown once in all.
      expect(await firstValueFrom(alice.retry(report.msgId))).toMatchObject({
        outcome: 'delivered',
      });
      await eventually(() => shown.length === 1, 2_000, 'shown once');
      expect(shown).toEqual([report.msgId]);
    }
  });

  it('a changed bye: no presence reported', async () => {
    const { bob, alice } = await setUp();
    const presence: unknown[] = [];
    bob.events$.subscribe((e) => {
      if (e.kind === 'incoming' && e.event.kind !== 'rejected') presence.push(e.event);
    });
    const proxy = await startProxy(track, bob.port, (line) =>
      line.includes('"bye"') ? line.replace('bye', 'bya') : line,
    );
    const to = { username: 'bob', host: LOCALHOST, port: proxy.port, secret: SECRET };
    expect(await firstValueFrom(alice.probe(to))).toMatchObject({ outcome: 'online' });
    await new Promise((r) => setTimeout(r, 100));
    expect(presence).toEqual([]);
  });

  it('a captured exchange replayed to bob: refused at auth, nothing shown twice', async () => {
    const { bob, alice, contactDelivers } = await setUp();
    const shown = shownBy(bob);
    const proxy = await startProxy(track, bob.port);
    const to = { username: 'bob', host: LOCALHOST, port: proxy.port, secret: SECRET };
    expect(await firstValueFrom(alice.send({ to, text: 'once' }))).toMatchObject({
      outcome: 'delivered',
    });
    await eventually(() => shown.length === 1, 2_000, 'shown');
    const captured = proxy.log.filter((l) => l.seen.direction === 'toResponder');
    expect(captured.map((l) => JSON.parse(l.line).type)).toEqual([
      'hello',
      'dh',
      'auth',
      'message',
    ]);
    // Bob's nonce and key are fresh: the old proof cannot match the new transcript.
    const wire = await dial(track, bob.port, ATTACKER);
    const answers: unknown[] = [];
    for (const { line } of captured.slice(0, 3)) {
      wire.socket.write(`${line}\n`);
      answers.push(await wire.next());
    }
    expect(answers).toEqual([
      expect.objectContaining({ type: 'hello' }),
      expect.objectContaining({ type: 'dh' }),
      expect.objectContaining({ type: 'error', code: 'auth_failed' }),
    ]);
    expect(shown).toHaveLength(1);
    await contactDelivers();
  });
});

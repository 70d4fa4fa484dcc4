/**
 * Slow-loris: 500 connections from one address (127.0.0.5), each trickling one byte a second
 * and never finishing a line. Bytes are not frames: the step deadline (2 s here) is reset
 * only by a complete frame, so each is closed at its deadline; past the address's share
 * (64) they are answered busy at once; alice (127.0.0.2) delivers within 1 s throughout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scene } from './support/scene.js';
import { ATTACKER, dial, eventually, tracker, type Wire, within } from './support/wire.js';

const track = tracker();
const { setUp, cleanUp } = scene();
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  await track.cleanUp();
  await cleanUp();
});

const DEADLINE_MS = 2_000;
/** How long a closed connection may linger before the node destroys it (tcp.ts). */
const CLOSE_GRACE_MS = 2_000;
const SHARE = 64;
const TRICKLERS = 500;
const HELLO = Buffer.from('{"type":"hello","version":1,"from":"mallory","to":null,"nonce":"');

/** Every second, one more byte on every connection that is still open: never a newline. */
const trickle = (wires: readonly Wire[]) => {
  let at = 0;
  const drip = () => {
    const byte = HELLO.subarray(at % HELLO.length, (at % HELLO.length) + 1);
    at += 1;
    // Hostile: it goes on writing after the node's FIN, until the socket is gone.
    for (const w of wires) if (!w.socket.destroyed) w.socket.write(byte);
  };
  drip();
  timers.push(setInterval(drip, 1_000));
};

const firstCode = (w: Wire) => {
  const line = w.lines[0];
  return line === undefined ? undefined : (JSON.parse(line) as { code?: string }).code;
};

describe('slow-loris', () => {
  it('500 tricklers from one address: 64 held until their deadline, the rest busy, alice served within 1 s', async () => {
    const { bob, contactDelivers } = await setUp({ stepDeadlineMs: DEADLINE_MS });
    const started = Date.now();
    const wires = await Promise.all(
      Array.from({ length: TRICKLERS }, () =>
        dial(track, bob.port, ATTACKER, { timeoutMs: 10_000, halfOpen: true }),
      ),
    );
    const connectedAt = Date.now();
    trickle(wires);

    await eventually(
      () => wires.filter((w) => firstCode(w) === 'busy').length === TRICKLERS - SHARE,
      3_000,
      'the connections past the share answered busy',
    );
    const held = wires.filter((w) => firstCode(w) !== 'busy');
    expect(held).toHaveLength(SHARE);
    expect(held.every((w) => w.endedAt() === undefined)).toBe(true);

    // The attack is on: alice is served at once, twice.
    await contactDelivers();
    await contactDelivers();

    // Each held one: timeout at its deadline, then the node's FIN, whatever it trickled.
    await eventually(
      () => held.every((w) => w.endedAt() !== undefined),
      DEADLINE_MS + 2_000,
      'every trickler closed at its deadline',
    );
    for (const w of held) {
      expect(firstCode(w)).toBe('timeout');
      expect(w.endedAt()! - started).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
      expect(w.endedAt()! - connectedAt).toBeLessThan(DEADLINE_MS + 1_000);
    }
    // Still writing, half-open, they are destroyed once the close grace is over; a trickler
    // notices at its next byte or the one after (a second apart).
    await within(
      Promise.all(held.map((w) => w.closed)),
      CLOSE_GRACE_MS + 2_500,
      'every trickler destroyed after the close grace',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(DEADLINE_MS + CLOSE_GRACE_MS - 200);
    await within(Promise.all(wires.map((w) => w.closed)), 1_000, 'the busy ones closed too');
    await contactDelivers();
  });
});

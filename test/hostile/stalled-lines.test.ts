/**
 * Unfinished lines held open (issue 20, finding 10): 40 connections from 127.0.0.5 each say
 * hello, then send 1 MiB − 2 bytes of a line that never ends. Each alone is within the frame
 * cap, but together they are past what the node lets all its connections hold in unfinished
 * lines (MAX_PENDING_LINE_BYTES, 32 MiB): the connections holding the most are answered busy,
 * with a sentence, and closed, until the rest fit; alice is served throughout.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, MAX_PENDING_LINE_BYTES } from '../../src/limits.js';
import { tooMuchHeld } from '../../src/streams/framing.js';
import { scene } from './support/scene.js';
import { ATTACKER, dial, eventually, tracker } from './support/wire.js';

const track = tracker();
const { setUp, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

const CONNECTIONS = 40;
const PARTIAL = MAX_FRAME_BYTES - 2;
const HELLO = `${JSON.stringify({
  type: 'hello',
  version: 1,
  from: 'mallory',
  to: 'bob',
  nonce: '0'.repeat(32),
})}\n`;

/** Write `total` bytes in 64 KiB chunks with back-pressure, until done or the socket is gone. */
const send = (socket: Socket, total: number): Promise<void> =>
  new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let left = total;
    socket.once('close', () => resolve());
    const pump = () => {
      while (left > 0 && !socket.destroyed) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!socket.write(chunk.subarray(0, n))) return void socket.once('drain', pump);
      }
      resolve();
    };
    pump();
  });

describe('unfinished lines, bounded in total', () => {
  it(`${CONNECTIONS} partial lines of 1 MiB: those past 32 MiB in all are answered busy and closed; alice is served`, async () => {
    const { bob, contactDelivers } = await setUp();
    const wires = await Promise.all(
      Array.from({ length: CONNECTIONS }, () => dial(track, bob.port, ATTACKER)),
    );
    for (const w of wires) w.socket.write(HELLO);
    await Promise.all(wires.map((w) => send(w.socket, PARTIAL)));
    const answered = (w: (typeof wires)[number]) => w.lines.slice(1).map((l) => JSON.parse(l));
    // 1 MiB each (the buffer of a partial line is at most the frame cap): 32 fit, 8 do not.
    const mustGo = CONNECTIONS - Math.floor(MAX_PENDING_LINE_BYTES / MAX_FRAME_BYTES);
    await eventually(
      () => wires.filter((w) => answered(w).length > 0).length >= mustGo,
      5_000,
      'the connections past the budget answered',
    );
    await contactDelivers();
    const told = wires.filter((w) => answered(w).length > 0);
    expect(told.length).toBeGreaterThanOrEqual(mustGo);
    for (const w of told) {
      expect(answered(w)).toEqual([{ type: 'error', ...tooMuchHeld() }]);
      await eventually(() => w.endedAt() !== undefined, 3_000, 'closed after busy');
    }
    // The rest are held (until their step deadline), each with its line of 1 MiB.
    expect(wires.filter((w) => w.endedAt() === undefined).length).toBe(CONNECTIONS - told.length);
  });
});

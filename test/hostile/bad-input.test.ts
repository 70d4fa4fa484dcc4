/**
 * Bytes that are not parley/1, on real sockets: garbage, JSON that is not a frame, invalid
 * UTF-8, a 2 MiB line, a line that never ends. Each is answered with the right error and
 * closed, memory stays bounded, and bob keeps serving alice throughout.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, MAX_FRAME_DEPTH } from '../../src/limits.js';
import { scene } from './support/scene.js';
import { ATTACKER, dial, eventually, tracker, within } from './support/wire.js';

const track = tracker();
const { setUp, cleanUp } = scene();
afterEach(async () => {
  await track.cleanUp();
  await cleanUp();
});

const MiB = 1_048_576;

/** Send `bytes` from the attacker; the first answer, and the end of the connection. */
const answerTo = async (port: number, bytes: Buffer | string) => {
  const wire = await dial(track, port, ATTACKER);
  wire.socket.write(bytes);
  const answer = await wire.next(5_000);
  await within(wire.closed, 5_000, 'closed after the answer');
  return answer;
};

/** Write `total` bytes of `chunk` with back-pressure, until done or the socket is gone. */
const stream = (socket: Socket, chunk: Buffer, total: number): Promise<number> =>
  new Promise((resolve) => {
    let sent = 0;
    const stop = () => resolve(sent);
    socket.once('close', stop);
    socket.once('end', stop);
    const pump = () => {
      while (sent < total && !socket.destroyed && !socket.writableEnded) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      stop();
    };
    pump();
  });

// A fixed pseudo-random buffer (a linear congruential generator): the same garbage every run.
const garbage = (size: number, seed = 7): Buffer => {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
};

const deep = `${'['.repeat(300_000)}${']'.repeat(300_000)}`;

describe('input that is not parley/1', () => {
  const malformed: [string, Buffer | string][] = [
    ['random bytes', Buffer.concat([garbage(4096), Buffer.from('\n')])],
    ['an empty line', '\n'],
    ['a JSON list', '[]\n'],
    ['a JSON string', '"hello"\n'],
    ['null', 'null\n'],
    ['a hello without its fields', '{"type":"hello"}\n'],
    ['a frame type from the prototype', '{"type":"__proto__"}\n'],
    ['a type hidden in __proto__', '{"__proto__":{"type":"bye"}}\n'],
    ['JSON nested 300,000 deep', `${'['.repeat(300_000)}${']'.repeat(300_000)}\n`],
    ['a hello whose from is nested 300,000 deep', `{"type":"hello","from":${deep}}\n`],
    ['a frame type nested 300,000 deep', `{"type":${deep}}\n`],
    ['a byte order mark before a hello', '\uFEFF{"type":"bye"}\n'],
    ['invalid UTF-8: a lone continuation', Buffer.from([0x7b, 0x80, 0x7d, 0x0a])],
    ['invalid UTF-8: a broken pair', Buffer.from([0xc3, 0x28, 0x0a])],
    ['invalid UTF-8: an overlong slash', Buffer.from([0xc0, 0xaf, 0x0a])],
    ['invalid UTF-8: an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80, 0x0a])],
    ['invalid UTF-8: beyond U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80, 0x0a])],
    ['invalid UTF-8: cut at the newline', Buffer.from([0x22, 0xe2, 0x82, 0x0a])],
  ];

  it('each is answered malformed_frame and closed; alice is still served', async () => {
    const { bob, contactDelivers } = await setUp();
    for (const [, bytes] of malformed) {
      expect(await answerTo(bob.port, bytes)).toMatchObject({
        type: 'error',
        code: 'malformed_frame',
      });
    }
    await contactDelivers();
  });

  it('nesting is refused before it is parsed, with a sentence', async () => {
    const { bob } = await setUp();
    expect(await answerTo(bob.port, `{"type":"hello","from":${deep}}\n`)).toEqual({
      type: 'error',
      code: 'malformed_frame',
      message: `a frame may nest arrays and objects at most ${MAX_FRAME_DEPTH} deep`,
    });
  });

  it('invalid UTF-8 is named as such', async () => {
    const { bob } = await setUp();
    expect(await answerTo(bob.port, Buffer.from([0xff, 0xfe, 0x0a]))).toEqual({
      type: 'error',
      code: 'malformed_frame',
      message: 'the line is not valid UTF-8',
    });
  });

  it('a 2 MiB line is answered frame_too_large and closed', async () => {
    const { bob, contactDelivers } = await setUp();
    const line = Buffer.concat([Buffer.alloc(2 * MiB, 0x61), Buffer.from('\n')]);
    expect(await answerTo(bob.port, line)).toEqual({
      type: 'error',
      code: 'frame_too_large',
      message: `a frame may be at most ${MAX_FRAME_BYTES} bytes`,
    });
    await contactDelivers();
  });

  it('a line that never ends, just under the cap and held open, is closed at the step deadline', async () => {
    const { bob, contactDelivers } = await setUp({ stepDeadlineMs: 1_500 });
    const wire = await dial(track, bob.port, ATTACKER);
    const started = Date.now();
    wire.socket.write(Buffer.alloc(MAX_FRAME_BYTES - 2, 0x61));
    await contactDelivers();
    expect(await wire.next(4_000)).toMatchObject({ type: 'error', code: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    await eventually(() => wire.endedAt() !== undefined, 1_000, 'closed after the timeout');
  });

  it('endless lines are cut at 1 MiB: eight 16 MiB streams leave memory bounded', async () => {
    const { bob, contactDelivers } = await setUp();
    const before = process.memoryUsage();
    let peak = 0;
    const sample = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.rss - before.rss, now.arrayBuffers - before.arrayBuffers);
    }, 5);
    try {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const wires = await Promise.all(
        Array.from({ length: 8 }, () => dial(track, bob.port, ATTACKER)),
      );
      const sent = await Promise.all(wires.map((w) => stream(w.socket, chunk, 16 * MiB)));
      for (const w of wires) {
        expect(await w.next()).toMatchObject({ type: 'error', code: 'frame_too_large' });
      }
      // Each was cut off before its end (what it got out is mostly in the kernel's buffers).
      expect(Math.max(...sent)).toBeLessThan(16 * MiB);
      await contactDelivers();
    } finally {
      clearInterval(sample);
    }
    // Held at most: 8 lines of 1 MiB, plus buffers in flight; never the 128 MiB sent.
    expect(peak).toBeLessThan(64 * MiB);
  });
});

/**
 * The socket side of an actor: the frames that go out together (one step's, or the steps the
 * mailbox ran in one go) are one write on the connection, so the fast order's flights (hello +
 * dh, dh + auth + message, auth + ack) reach the peer in one segment; a close comes after them.
 */
import { EMPTY, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../src/actors/types.js';
import { BYE } from '../../src/codecs/frames.js';
import { encodeFrame } from '../../src/codecs/line.js';
import type { Connection } from '../../src/ports/ports.js';
import { carryOut } from '../../src/streams/session.js';
import { vectorFrames } from '../support/actors.js';
import { VECTORS } from '../support/vectors.js';

const fakeConnection = () => {
  const calls: string[] = [];
  const connection: Connection = {
    remoteAddress: '127.0.0.1',
    remotePort: 1,
    lines$: EMPTY,
    closed$: EMPTY,
    send: () => EMPTY,
    write: (lines) => calls.push(lines),
    close: () => calls.push('close'),
    destroy: () => calls.push('destroy'),
  };
  return { connection, calls };
};

const send = (frame: Parameters<typeof encodeFrame>[0]): Effect<never> => ({ kind: 'send', frame });
const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('carryOut', () => {
  const f = vectorFrames(VECTORS[0]!);

  it('writes the frames emitted together in one write, in order', async () => {
    const { connection, calls } = fakeConnection();
    const effects = new Subject<Effect<never>>();
    effects.pipe(carryOut(connection)).subscribe();
    effects.next(send(f.dhI));
    effects.next({ kind: 'claimed', username: 'alice' }); // the node's, never written
    effects.next(send(f.authI));
    effects.next(send(f.message));
    expect(calls).toEqual([]);
    await tick();
    expect(calls).toEqual([encodeFrame(f.dhI) + encodeFrame(f.authI) + encodeFrame(f.message)]);
    // A later flight is a write of its own.
    effects.next(send(BYE));
    await tick();
    expect(calls).toHaveLength(2);
  });

  it('writes what is gathered before the close it precedes', () => {
    const { connection, calls } = fakeConnection();
    const effects = new Subject<Effect<never>>();
    effects.pipe(carryOut(connection)).subscribe();
    effects.next(send(f.authR));
    effects.next(send(f.ack));
    effects.next({ kind: 'close' });
    expect(calls).toEqual([encodeFrame(f.authR) + encodeFrame(f.ack), 'close']);
  });
});

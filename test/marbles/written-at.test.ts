/**
 * A message's timestamp is when it was written, not when this attempt went out (issue 22): a
 * message that waited in an outbox says so, and the receiver shows how long ago it was written.
 */
import { filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Intent } from '../../src/actors/initiator.js';
import type { ResponderEvent } from '../../src/actors/responder.js';
import { clockNote } from '../../src/cli/text.js';
import {
  initiatorDeps,
  initiatorParams,
  responderConfig,
  responderDeps,
  VECTOR_MESSAGE,
  vectorLookup,
} from '../support/actors.js';
import { link } from '../support/link.js';
import { marbles } from '../support/marbles.js';
import { VECTORS } from '../support/vectors.js';

const v = VECTORS[0]!;
const WRITTEN = Date.parse('2026-11-21T09:00:00.000Z');
const message = VECTOR_MESSAGE(v) as Extract<Intent, { kind: 'message' }>;

describe('the timestamp a message carries', () => {
  it('is when it was written, given in the intent; the receiver notes how long ago', () => {
    let received: Extract<ResponderEvent, { kind: 'received' }> | undefined;
    marbles((scheduler) => {
      const wire = link({
        scheduler,
        initiator: {
          params: initiatorParams(v, { intent: { ...message, writtenAt: WRITTEN } }),
          deps: initiatorDeps(v),
        },
        responder: { config: responderConfig(v), deps: responderDeps(v), lookup: vectorLookup(v) },
      });
      wire.responderEvents$
        .pipe(
          filter((e): e is Extract<ResponderEvent, { kind: 'received' }> => e.kind === 'received'),
        )
        .subscribe((e) => {
          received = e;
        });
    });
    expect(received?.message.timestamp).toBe('2026-11-21T09:00:00.000Z');
    // The vectors' clock says 12:00, three hours after it was written.
    expect(received === undefined ? undefined : clockNote(received.message)).toBe(
      "(written 3 hours ago, at 2026-11-21T09:00:00.000Z: it waited to be delivered, or alice's clock is behind ours)",
    );
  });

  it('without one, is the time of the attempt (the vectors: their clock)', () => {
    let timestamp: string | undefined;
    marbles((scheduler) => {
      const wire = link({
        scheduler,
        initiator: { params: initiatorParams(v), deps: initiatorDeps(v) },
        responder: { config: responderConfig(v), deps: responderDeps(v), lookup: vectorLookup(v) },
      });
      wire.responderEvents$.subscribe((e) => {
        if (e.kind === 'received') timestamp = e.message.timestamp;
      });
    });
    expect(timestamp).toBe(v.message_frame.header.timestamp);
  });
});

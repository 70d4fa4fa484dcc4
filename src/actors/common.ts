/**
 * What both actors share: the effects they build, the one way to end an exchange, and the
 * ways a connection ends early (the peer's error frame, a frame out of order, a line that did
 * not decode, the peer closing, a deadline passing).
 */
import type { ErrorCode } from '../codecs/errors.js';
import { type ErrorFrame, errorFrame, type Frame } from '../codecs/frames.js';
import type { Effect, Failure, Inbound, Transition } from './types.js';

export const sendFrame = <Ev>(frame: Frame): Effect<Ev> => ({ kind: 'send', frame });
export const emit = <Ev>(event: Ev): Effect<Ev> => ({ kind: 'emit', event });
export const close = <Ev>(): Effect<Ev> => ({ kind: 'close' });

/** The closed state of either actor: it keeps the outcome its last effects publish. */
export interface Closed<Ev> {
  readonly phase: 'closed';
  readonly outcome: Ev;
}

/**
 * The one way an exchange ends: the outcome is kept in the closed state, published, and the
 * connection closed. `before` goes out first (an error frame), `after` between the event
 * and the close (the ack: a peer that dies between showing and acking has shown it).
 */
export const end = <Ev>(
  outcome: Ev,
  { before = [], after = [] }: { before?: Effect<Ev>[]; after?: Effect<Ev>[] } = {},
): Transition<Closed<Ev>, Ev> => [
  { phase: 'closed', outcome },
  [...before, emit(outcome), ...after, close()],
];

/** Turns a failure into the actor's own event (adding which step it happened at, etc.). */
export type Reporter<Ev> = (failure: Failure) => Ev;

/** Answer the peer with an error frame, report why, close. */
export const reject = <Ev>(
  code: ErrorCode,
  message: string,
  report: Reporter<Ev>,
): Transition<Closed<Ev>, Ev> =>
  end(report({ cause: 'rejected', code, message }), {
    before: [sendFrame(errorFrame(code, message))],
  });

/** Anything that is not a frame or an answer, or the peer's error frame: the end. */
export type Interruption =
  | Extract<Inbound, { kind: 'invalid' | 'end' | 'timeout' }>
  | { kind: 'frame'; frame: ErrorFrame };

export const isInterruption = (input: Inbound): input is Interruption =>
  input.kind === 'invalid' ||
  input.kind === 'end' ||
  input.kind === 'timeout' ||
  (input.kind === 'frame' && input.frame.type === 'error');

export const interrupted = <Ev>(
  input: Interruption,
  report: Reporter<Ev>,
): Transition<Closed<Ev>, Ev> => {
  switch (input.kind) {
    case 'invalid':
      return reject(input.error.code, input.error.message, report);
    case 'timeout':
      return end(report({ cause: 'timeout' }), {
        before: [sendFrame(errorFrame('timeout', 'no frame within the step deadline'))],
      });
    case 'end':
      return end(report({ cause: 'closed' }));
    case 'frame':
      // Never answer an error with an error: the peer is already closing.
      return end(
        report({ cause: 'peer_error', code: input.frame.code, message: input.frame.message }),
      );
  }
};

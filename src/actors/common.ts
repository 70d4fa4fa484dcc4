/**
 * The ways a connection ends that both actors share: the peer's error frame, a frame out of
 * order, a line that did not decode, the peer closing, a deadline passing.
 */
import type { ErrorCode } from '../codecs/errors.js';
import { type ErrorFrame, errorFrame, type Frame, type FrameType } from '../codecs/frames.js';
import type { Effect, Failure, Inbound } from './types.js';

export const sendFrame = <Ev>(frame: Frame): Effect<Ev> => ({ kind: 'send', frame });
export const emit = <Ev>(event: Ev): Effect<Ev> => ({ kind: 'emit', event });
export const close = <Ev>(): Effect<Ev> => ({ kind: 'close' });

/** The closed state of either actor: it keeps the outcome its last effects publish. */
export interface Closed<Ev> {
  readonly phase: 'closed';
  readonly outcome: Ev;
}

/** Ends the exchange with these effects; the event among them becomes the outcome. */
export const finish = <Ev>(effects: Effect<Ev>[]): readonly [Closed<Ev>, Effect<Ev>[]] => {
  const emitted = effects.find((e) => e.kind === 'emit');
  return [{ phase: 'closed', outcome: (emitted as { event: Ev }).event }, effects];
};

/** Turns a failure into the actor's own event (adding which step it happened at, etc.). */
export type Report<Ev> = (failure: Failure) => Ev;

/** Answer the peer with an error frame, report why, close. */
export const reject = <Ev>(code: ErrorCode, message: string, report: Report<Ev>): Effect<Ev>[] => [
  sendFrame(errorFrame(code, message)),
  emit(report({ cause: 'rejected', code, message })),
  close(),
];

/** A frame that is valid but not the one this step waits for. */
export const unexpected = <Ev>(
  expected: readonly FrameType[],
  got: FrameType,
  report: Report<Ev>,
): Effect<Ev>[] =>
  reject('unexpected_frame', `expected ${expected.join(' or ')}, got ${got}`, report);

/** Anything that is not a frame, or the peer's error frame: the end of the connection. */
export type Interruption =
  | Exclude<Inbound, { kind: 'frame' }>
  | { kind: 'frame'; frame: ErrorFrame };

export const isInterruption = (input: Inbound): input is Interruption =>
  input.kind !== 'frame' || input.frame.type === 'error';

export const interrupted = <Ev>(input: Interruption, report: Report<Ev>): Effect<Ev>[] => {
  switch (input.kind) {
    case 'invalid':
      return reject(input.error.code, input.error.message, report);
    case 'timeout':
      return [
        sendFrame(errorFrame('timeout', 'no frame within the step deadline')),
        emit(report({ cause: 'timeout' })),
        close(),
      ];
    case 'end':
      return [emit(report({ cause: 'closed' })), close()];
    case 'frame':
      // Never answer an error with an error: the peer is already closing.
      return [
        emit(report({ cause: 'peer_error', code: input.frame.code, message: input.frame.message })),
        close(),
      ];
  }
};

/**
 * Runs an actor's effects over a real connection: frames are written in order (waiting for
 * the socket to drain), events are passed on, and the close closes the socket. The actor
 * never sees the socket; this is the only place where the two meet.
 */
import * as E from 'fp-ts/lib/Either.js';
import { asapScheduler, map, Observable, tap } from 'rxjs';
import type { Effect, Inbound } from '../actors/types.js';
import type { ProtocolError } from '../codecs/errors.js';
import { decodeLine, encodeFrame } from '../codecs/line.js';
import type { Connection } from '../transport/tcp.js';
import type { Line } from './framing.js';

/** A frame on the wire, for tracing: never its contents, which may be secret. */
export interface FrameTrace {
  readonly direction: 'in' | 'out';
  /** The frame type, or the error code of a line that did not decode. */
  readonly type: string;
  readonly bytes: number;
}

export type TraceSink = (trace: FrameTrace) => void;

/** What the actor hears: each line decoded to a frame, or to the error that answers it. */
export const inbound$ = (connection: Connection, onTrace?: TraceSink): Observable<Inbound> => {
  // Traced only when asked: each operator costs every connection something.
  if (onTrace === undefined) return connection.lines$.pipe(map((line) => toInbound(line).input));
  return connection.lines$.pipe(
    map(toInbound),
    tap(({ input, bytes }) => onTrace(traceOf(input, bytes))),
    map(({ input }) => input),
  );
};

const traceOf = (
  input: Extract<Inbound, { kind: 'frame' | 'invalid' }>,
  bytes: number,
): FrameTrace => ({
  direction: 'in',
  type: input.kind === 'frame' ? input.frame.type : input.error.code,
  bytes,
});

const toInbound = (
  framed: E.Either<ProtocolError, Line>,
): { input: Extract<Inbound, { kind: 'frame' | 'invalid' }>; bytes: number } => {
  if (E.isLeft(framed)) return { input: { kind: 'invalid', error: framed.left }, bytes: 0 };
  const { text, byteLength } = framed.right;
  const decoded = decodeLine(text, byteLength);
  return E.isRight(decoded)
    ? { input: { kind: 'frame', frame: decoded.right }, bytes: byteLength }
    : { input: { kind: 'invalid', error: decoded.left }, bytes: byteLength };
};

/**
 * Carries out the effects; emits the actor's events. Frames are written in order without
 * waiting for each (the socket keeps them in order, and the close after an error frame is a
 * graceful end, which flushes it first). A write that fails (the peer is gone) is not an
 * error here: the actor hears the end of the connection and reports it itself.
 *
 * The frames that go out together (one step's, or the steps the mailbox ran in one go: the
 * fast order's hello + dh, dh + auth + message, auth + ack) are one write: one segment for the
 * peer to wait for, not one per frame. They are gathered until the step's effects are all out
 * (a microtask later — `asapScheduler`, which RxJS's TestScheduler runs in virtual time —
 * before any I/O) or until an effect that must follow them (the close).
 *
 * One hand-written subscriber rather than concatMap with an observable per frame: it runs
 * for every frame of every connection.
 */
export const carryOut =
  <Ev, Out = Ev>(
    connection: Connection,
    onTrace?: TraceSink,
    /** What each event becomes downstream (folded in here: no `map` per connection). */
    publish: (event: Ev) => Out = (event) => event as unknown as Out,
    /** Called once when the connection's effects end, however they end. */
    onEnd: () => void = () => {},
  ) =>
  (effects$: Observable<Effect<Ev>>): Observable<Out> =>
    new Observable<Out>((subscriber) => {
      let pending = '';
      const flush = () => {
        if (pending === '') return;
        const lines = pending;
        pending = '';
        connection.write(lines);
      };
      const subscription = effects$.subscribe({
        next: (effect) => {
          switch (effect.kind) {
            case 'emit':
              subscriber.next(publish(effect.event));
              return;
            case 'close':
              flush();
              connection.close();
              return;
            case 'send': {
              const line = encodeFrame(effect.frame);
              onTrace?.({
                direction: 'out',
                type: effect.frame.type,
                bytes: Buffer.byteLength(line),
              });
              // asap: a microtask in real time, the same frame in a marble test's virtual time.
              if (pending === '') asapScheduler.schedule(flush);
              pending += line;
              return;
            }
            default:
              // The node's questions and the actor's reports are the interpreter's (see the
              // driver's `answer`), not the connection's.
              return;
          }
        },
        error: (err: unknown) => {
          flush();
          subscriber.error(err);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        flush();
        connection.close();
        onEnd();
      };
    });

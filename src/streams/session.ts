/**
 * Runs an actor's effects over a real connection: frames are written in order (waiting for
 * the socket to drain), events are passed on, and the close closes the socket. The actor
 * never sees the socket; this is the only place where the two meet.
 */
import * as E from 'fp-ts/lib/Either.js';
import { catchError, concatMap, EMPTY, map, type Observable, of, tap } from 'rxjs';
import type { Effect, Inbound } from '../actors/types.js';
import type { ProtocolError } from '../codecs/errors.js';
import { decodeLine, encodeFrame } from '../codecs/line.js';
import type { Line } from './framing.js';
import type { Connection } from './tcp.js';

/** What the actor hears: each line decoded to a frame, or to the error that answers it. */
export const inbound$ = (connection: Connection): Observable<Inbound> =>
  connection.lines$.pipe(map(toInbound));

const toInbound = (framed: E.Either<ProtocolError, Line>): Inbound => {
  const decoded = E.chain((line: Line) => decodeLine(line.text, line.byteLength))(framed);
  return E.isRight(decoded)
    ? { kind: 'frame', frame: decoded.right }
    : { kind: 'invalid', error: decoded.left };
};

/** A frame on the wire, for tracing: never its contents, which may be secret. */
export interface FrameTrace {
  readonly direction: 'in' | 'out';
  readonly type: string;
  readonly bytes: number;
}

/**
 * Carries out the effects; emits the actor's events. A write that fails (the peer is gone) is
 * not an error here: the actor hears the end of the connection and reports it itself.
 */
export const carryOut =
  <Ev>(connection: Connection, onTrace?: (trace: FrameTrace) => void) =>
  (effects$: Observable<Effect<Ev>>): Observable<Ev> =>
    effects$.pipe(
      concatMap((effect): Observable<Ev> => {
        switch (effect.kind) {
          case 'emit':
            return of(effect.event);
          case 'close':
            connection.close();
            return EMPTY;
          case 'send': {
            const line = encodeFrame(effect.frame);
            onTrace?.({
              direction: 'out',
              type: effect.frame.type,
              bytes: Buffer.byteLength(line),
            });
            return connection.send(line).pipe(catchError(() => EMPTY)) as Observable<never>;
          }
        }
      }),
      tap({ finalize: () => connection.close() }),
    );

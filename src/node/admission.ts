/**
 * The cap on incoming connections in progress: who is admitted, counted per source, released
 * once at its end; who is refused at once (busy, rate_limited); and whose place a newcomer
 * takes when the cap is full (see `pickEviction`).
 */
import {
  catchError,
  concat,
  EMPTY,
  finalize,
  ignoreElements,
  merge,
  type Observable,
  of,
} from 'rxjs';
import { errorFrame } from '../codecs/frames.js';
import { encodeFrame } from '../codecs/line.js';
import type { Connection } from '../transport/tcp.js';
import { type InProgress, pickEviction } from './defences.js';
import type { NodeEvent } from './types.js';

/** What the cap keeps: the connections in progress, oldest first, and a count per source. */
export interface CapBooks {
  readonly maxConnections: number;
  readonly maxPerAddress: number;
  /** Incoming connections in progress per source (address, or IPv6 /64: see `sourceOf`). */
  readonly perAddress: Map<string, number>;
  /** Incoming connections in progress (the cap counts these), oldest first. */
  readonly active: Map<Connection, Admission>;
  /** Every open connection, for close(). */
  readonly open: Set<Connection>;
}

export const BUSY = 'too many connections in progress; try again shortly';

/** A connection counted against the cap, until released (once: at its end, or evicted). */
export interface Admission extends InProgress {
  readonly connection: Connection;
  /** The username it claimed in its hello (our hello answers it by that name). */
  claimed: string | undefined;
  released: boolean;
}

export const admit = (
  connection: Connection,
  source: string,
  trusted: boolean,
  ctx: CapBooks,
): Admission => {
  const admission: Admission = {
    connection,
    source,
    trusted,
    progress: 0,
    claimed: undefined,
    authenticated: false,
    released: false,
  };
  ctx.perAddress.set(source, (ctx.perAddress.get(source) ?? 0) + 1);
  ctx.active.set(connection, admission);
  ctx.open.add(connection);
  return admission;
};

export const release = (admission: Admission, ctx: CapBooks) => {
  if (admission.released) return;
  admission.released = true;
  const { source, connection } = admission;
  const left = (ctx.perAddress.get(source) ?? 1) - 1;
  if (left === 0) ctx.perAddress.delete(source);
  else ctx.perAddress.set(source, left);
  ctx.active.delete(connection);
  ctx.open.delete(connection);
};

/** Answer with an error frame and close, without running the protocol. */
export const refuse = (
  connection: Connection,
  code: 'busy' | 'rate_limited',
  message: string,
): Observable<NodeEvent> =>
  concat(
    connection.send(encodeFrame(errorFrame(code, message))).pipe(
      // A peer that is already gone changes nothing: we were closing anyway. (Left to run,
      // the write's error would end the node's whole pipeline.)
      ignoreElements(),
      catchError(() => EMPTY),
      finalize(() => connection.close()),
    ),
    of<NodeEvent>({ kind: 'refused', code, remote: connection.remoteAddress }),
  );

/**
 * Make room for a newcomer from `source` if an address holding more has a connection not yet
 * authenticated: it is answered busy and destroyed (its actor then hears the end), and stops
 * counting at once. The event says whom it was.
 */
export const evictFor = (trusted: boolean, ctx: CapBooks): Observable<NodeEvent> | undefined => {
  const victim = pickEviction(ctx.active.values(), ctx.perAddress, trusted);
  if (victim === undefined) return undefined;
  release(victim, ctx);
  const { connection } = victim;
  const answered$ = connection.send(encodeFrame(errorFrame('busy', BUSY))).pipe(
    ignoreElements(),
    catchError(() => EMPTY),
    finalize(() => connection.destroy()),
  );
  return merge(
    of<NodeEvent>({ kind: 'refused', code: 'busy', remote: connection.remoteAddress }),
    answered$,
  );
};

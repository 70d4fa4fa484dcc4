/**
 * A transport in memory: hosts on one `memoryNetwork` listen and connect to each other with no
 * socket at all, every byte delivered on the injected clock. Under RxJS's TestScheduler two
 * whole nodes hold a conversation in virtual time (test/marbles/two-nodes.test.ts); a
 * delivery delay makes round trips countable. Lines go through the same framing operator as
 * TCP's, so a frame's size cap and UTF-8 check are the same.
 */
import { left, right } from 'fp-ts/lib/Either.js';
import { asyncScheduler, Observable, type Subscriber } from 'rxjs';
import { DEFAULT_LISTEN_HOST, MAX_FRAME_BYTES } from '../limits.js';
import type {
  Clock,
  ConnectFailure,
  Connection,
  ConnectTo,
  ListenAt,
  ServerEvent,
  Transport,
} from '../ports/ports.js';
import { frameLines } from '../streams/framing.js';

export interface MemoryNetworkOptions {
  readonly clock?: Clock;
  /** How long a write takes to reach the other side (clock ms; default 0). */
  readonly latencyMs?: number;
  readonly maxFrameBytes?: number;
}

export interface MemoryNetwork {
  /** The transport of the host at `address` (what its peers see as `remoteAddress`). */
  transport(address: string): Transport;
  /** Bytes written so far, all hosts together (for tests that count). */
  readonly writes: number;
}

/** One direction of a connection: bytes queued until its one reader subscribes. */
class Pipe {
  private reader: Subscriber<Buffer> | undefined;
  private readonly pending: Buffer[] = [];
  private ended = false;

  push(chunk: Buffer): void {
    if (this.ended) return;
    if (this.reader) this.reader.next(chunk);
    else this.pending.push(chunk);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reader?.complete();
  }

  readonly data$ = new Observable<Buffer>((subscriber) => {
    this.reader = subscriber;
    for (const chunk of this.pending.splice(0)) subscriber.next(chunk);
    if (this.ended) subscriber.complete();
    return () => {
      this.reader = undefined;
    };
  });
}

interface Wire {
  readonly clock: Clock;
  readonly latencyMs: number;
  readonly maxFrameBytes: number;
  count(bytes: number): void;
}

/** Both ends of one connection: what one writes, the other reads, after the latency. */
const connectionPair = (
  wire: Wire,
  a: { address: string; port: number },
  b: { address: string; port: number },
): [Connection, Connection] => {
  const toA = new Pipe();
  const toB = new Pipe();
  let open = true;
  const closedWaiters: Array<Subscriber<{ error?: string }>> = [];
  let closedWith: { error?: string } | undefined;
  const settle = (reason: { error?: string }) => {
    if (closedWith) return;
    closedWith = reason;
    for (const waiter of closedWaiters.splice(0)) {
      waiter.next(reason);
      waiter.complete();
    }
  };
  const closed$ = new Observable<{ error?: string }>((subscriber) => {
    if (closedWith) {
      subscriber.next(closedWith);
      subscriber.complete();
    } else closedWaiters.push(subscriber);
  });
  const later = (work: () => void) => wire.clock.schedule(work, wire.latencyMs);
  let ends = 0;
  const end = (pipe: Pipe) => {
    later(() => {
      pipe.end();
      ends += 1;
      if (ends === 2) settle({});
    });
  };
  const side = (remote: { address: string; port: number }, out: Pipe, into: Pipe): Connection => {
    let ending = false;
    const write = (line: string): boolean => {
      if (!open || ending) return false;
      const chunk = Buffer.from(line, 'utf8');
      wire.count(chunk.length);
      later(() => out.push(chunk));
      return true;
    };
    return {
      remoteAddress: remote.address,
      remotePort: remote.port,
      lines$: into.data$.pipe(frameLines(wire.maxFrameBytes)),
      closed$,
      send: (line) =>
        new Observable<void>((subscriber) => {
          if (!write(line)) subscriber.error(new Error('the connection is already closed'));
          else later(() => subscriber.complete());
        }),
      write: (line) => void write(line),
      close: () => {
        if (ending || !open) return;
        ending = true;
        end(out);
      },
      destroy: () => {
        if (!open) return;
        open = false;
        toA.end();
        toB.end();
        settle({});
      },
    };
  };
  return [side(b, toB, toA), side(a, toA, toB)];
};

const refused = (to: ConnectTo): ConnectFailure => ({
  code: 'ECONNREFUSED',
  message: `nothing listens at ${to.host}:${to.port}`,
});

const FIRST_PORT = 40_000;

export const memoryNetwork = ({
  clock = asyncScheduler,
  latencyMs = 0,
  maxFrameBytes = MAX_FRAME_BYTES,
}: MemoryNetworkOptions = {}): MemoryNetwork => {
  const listeners = new Map<string, (connection: Connection) => void>();
  let nextPort = FIRST_PORT;
  let written = 0;
  const count = (bytes: number) => {
    written += bytes;
  };
  const wire: Wire = { clock, latencyMs, maxFrameBytes, count };

  const transport = (address: string): Transport => ({
    listen$: ({ port, host = DEFAULT_LISTEN_HOST }: ListenAt) =>
      new Observable<ServerEvent>((subscriber) => {
        const chosen = port === 0 ? nextPort++ : port;
        const key = `${address}:${chosen}`;
        if (listeners.has(key)) {
          subscriber.next({
            kind: 'error',
            code: 'EADDRINUSE',
            message: `port ${chosen} is already in use`,
          });
          subscriber.complete();
          return;
        }
        listeners.set(key, (connection) => subscriber.next({ kind: 'connection', connection }));
        subscriber.next({ kind: 'listening', port: chosen, host });
        return () => listeners.delete(key);
      }),
    connect$: (to: ConnectTo) =>
      new Observable((subscriber) => {
        const task = clock.schedule(() => {
          const accept = listeners.get(`${to.host}:${to.port}`);
          if (accept === undefined) {
            subscriber.next(left(refused(to)));
            subscriber.complete();
            return;
          }
          const [ours, theirs] = connectionPair(
            wire,
            { address, port: nextPort++ },
            { address: to.host, port: to.port },
          );
          accept(theirs);
          subscriber.next(right(ours));
          subscriber.complete();
        }, 2 * latencyMs); // a round trip, as TCP's handshake
        return () => task.unsubscribe();
      }),
  });

  return {
    transport,
    get writes() {
      return written;
    },
  };
};

import * as net from 'node:net';
import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import {
  firstValueFrom,
  lastValueFrom,
  type Observable,
  ReplaySubject,
  skip,
  take,
  timeout,
  toArray,
} from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { protocolError } from '../../src/codecs/errors.js';
import { describeConnectError, describeListenError } from '../../src/transport/socket-errors.js';
import {
  type Connection,
  connect$,
  fromSocket,
  type ListenOptions,
  listen$,
  type ServerEvent,
} from '../../src/transport/tcp.js';

const HOST = '127.0.0.1';
const BOUND_MS = 3_000;

/** The first value within a bounded time, so no test can hang. */
const within = <T>(source$: Observable<T>, ms = BOUND_MS): Promise<T> =>
  firstValueFrom(source$.pipe(timeout(ms)));
const allOf = <T>(source$: Observable<T>, ms = BOUND_MS): Promise<T[]> =>
  lastValueFrom(source$.pipe(toArray(), timeout(ms)));
/** Completion within a bounded time, for observables that only complete (like `send`). */
const completion = (source$: Observable<unknown>, ms = BOUND_MS): Promise<unknown> =>
  lastValueFrom(source$.pipe(timeout(ms)), { defaultValue: undefined });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Everything a test opens is closed after it, and then no TCP handle may be left.
const cleanups: (() => void)[] = [];
const track = (connection: Connection): Connection => {
  cleanups.push(() => connection.destroy());
  return connection;
};
const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'));

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  const deadline = Date.now() + BOUND_MS;
  while (tcpHandles().length > 0 && Date.now() < deadline) await sleep(10);
  expect(tcpHandles(), 'TCP handles left open').toEqual([]);
});

const serve = async (options: Partial<ListenOptions> = {}) => {
  const connections = new ReplaySubject<Connection>();
  const events = new ReplaySubject<ServerEvent>();
  let accepted = 0;
  const subscription = listen$({ port: 0, host: HOST, ...options }).subscribe((event) => {
    if (event.kind === 'connection') {
      accepted += 1;
      connections.next(track(event.connection));
    } else events.next(event);
  });
  cleanups.push(() => subscription.unsubscribe());
  const first = await within(events);
  if (first.kind !== 'listening') throw new Error(`could not listen: ${JSON.stringify(first)}`);
  return {
    port: first.port,
    host: first.host,
    connection: (index = 0) => within(connections.pipe(skip(index))),
    accepted: () => accepted,
    stop: () => subscription.unsubscribe(),
  };
};

const dial = async (port: number, options: { closeGraceMs?: number } = {}) => {
  const result = await within(connect$({ host: HOST, port, ...options }));
  if (isLeft(result)) throw new Error(`could not connect: ${result.left.message}`);
  return track(result.right);
};

/** A port that nothing listens on: bound once, then released. */
const closedPort = async () => {
  const server = await serve();
  server.stop();
  return server.port;
};

const rawListen = (server: net.Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, HOST, () => resolve((server.address() as net.AddressInfo).port)),
  );

const line = (text: string) => right({ text, byteLength: Buffer.byteLength(text) + 1 });

describe('listen$ and connect$', () => {
  it('reports the real port for port 0 and hands out each connection', async () => {
    const server = await serve();
    expect(server.port).toBeGreaterThan(0);
    expect(server.host).toBe(HOST);
    const client = await dial(server.port);
    const peer = await server.connection();
    expect(peer.remoteAddress).toBe(HOST);
    expect(peer.remotePort).toBeGreaterThan(0);
    expect(client.remotePort).toBe(server.port);
    await dial(server.port);
    expect((await server.connection(1)).remoteAddress).toBe(HOST);
  });

  it('carries lines both ways, multi-byte characters included', async () => {
    const server = await serve();
    const client = await dial(server.port);
    const peer = await server.connection();
    const atPeer = within(peer.lines$);
    await completion(client.send('{"type":"bye","note":"Grüße 👋"}\n'));
    expect(await atPeer).toEqual(line('{"type":"bye","note":"Grüße 👋"}'));
    const atClient = allOf(client.lines$.pipe(take(2)));
    await completion(peer.send('one\ntwo\n'));
    expect(await atClient).toEqual([line('one'), line('two')]);
  });

  it('answers an oversized frame with frame_too_large and ends the lines', async () => {
    const server = await serve({ maxFrameBytes: 16 });
    const client = await dial(server.port);
    const peer = await server.connection();
    const atPeer = allOf(peer.lines$);
    await completion(client.send(`short\n${'x'.repeat(40)}\n`));
    expect(await atPeer).toEqual([
      line('short'),
      left(protocolError('frame_too_large', 'a frame may be at most 16 bytes')),
    ]);
  });

  it('reports a port in use as an error event, and the first server keeps working', async () => {
    const first = await serve();
    const events = await allOf(listen$({ port: first.port, host: HOST }));
    expect(events).toEqual([
      {
        kind: 'error',
        code: 'EADDRINUSE',
        message: `port ${first.port} is already in use on ${HOST}; choose another with --port`,
      },
    ]);
    await dial(first.port);
    expect((await first.connection()).remoteAddress).toBe(HOST);
  });

  it('stops accepting on unsubscribe, and connect$ then reports the refusal', async () => {
    const port = await closedPort();
    const result = await within(connect$({ host: HOST, port }));
    expect(result).toEqual(
      left({
        code: 'ECONNREFUSED',
        message: `connection refused by ${HOST}:${port}: nothing is listening there`,
      }),
    );
  });

  it('leaves nothing open when unsubscribed before it is listening', async () => {
    const events: ServerEvent[] = [];
    listen$({ port: 0, host: HOST })
      .subscribe((event) => events.push(event))
      .unsubscribe();
    await sleep(50);
    expect(events).toEqual([]);
    // afterEach checks that the server handle, opened after the host lookup, was closed again.
  });

  it('keeps connections already handed out when the server stops', async () => {
    const server = await serve();
    const client = await dial(server.port);
    const peer = await server.connection();
    server.stop();
    const atClient = within(client.lines$);
    await completion(peer.send('still here\n'));
    expect(await atClient).toEqual(line('still here'));
  });

  it('destroys the socket when unsubscribed before the connection is made', async () => {
    const server = await serve();
    const seen: unknown[] = [];
    connect$({ host: HOST, port: server.port })
      .subscribe((result) => seen.push(result))
      .unsubscribe();
    await sleep(100);
    expect(seen).toEqual([]);
    expect(server.accepted()).toBe(0);
    // afterEach checks that no socket is left behind.
  });
});

describe('Connection', () => {
  it('completes send only once a paused peer reads again (backpressure)', async () => {
    const server = await serve();
    const client = await dial(server.port);
    const peer = await server.connection();
    // Far more than the loopback kernel buffers hold while the peer is not reading.
    const chunk = `${'y'.repeat(65_535)}\n`;
    const count = 256;
    let sent = false;
    const sending = lastValueFrom(client.send(chunk.repeat(count)), { defaultValue: undefined });
    void sending.then(() => (sent = true));
    await sleep(300);
    expect(sent).toBe(false);
    // Nothing has subscribed to peer.lines$ yet, so the peer socket is paused: subscribe now.
    const received = allOf(peer.lines$.pipe(take(count)), 10_000);
    await sending;
    expect(sent).toBe(true);
    expect((await received).length).toBe(count);
  });

  it('close() ends the peer lines$ and both sides report a clean close', async () => {
    const server = await serve();
    const client = await dial(server.port);
    const peer = await server.connection();
    const atPeer = allOf(peer.lines$);
    void completion(client.send('last words\n')).then(() => client.close());
    expect(await atPeer).toEqual([line('last words')]);
    expect(await within(client.closed$)).toEqual({});
    expect(await within(peer.closed$)).toEqual({});
  });

  it('close() destroys the socket after a grace period if the peer does not close', async () => {
    // A half-open peer: it sees our end but never ends its own side.
    const lingering: net.Socket[] = [];
    const raw = net.createServer({ allowHalfOpen: true }, (socket) => lingering.push(socket));
    cleanups.push(() => {
      for (const socket of lingering) socket.destroy();
      raw.close();
    });
    const port = await rawListen(raw);
    const client = await dial(port, { closeGraceMs: 200 });
    const started = Date.now();
    client.close();
    expect(await within(client.closed$, 1_000)).toEqual({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('send fails with a readable message once the connection is gone', async () => {
    const server = await serve();
    const client = await dial(server.port);
    client.destroy();
    await within(client.closed$);
    await expect(completion(client.send('too late\n'))).rejects.toThrow(
      'the connection is already closed',
    );
    expect(await allOf(client.lines$)).toEqual([]);
  });

  it('surfaces a reset by the peer as a value, not an exception', async () => {
    const raw = net.createServer((socket) => socket.resetAndDestroy());
    cleanups.push(() => raw.close());
    const socket = net.connect(await rawListen(raw), HOST);
    const client = track(fromSocket(socket));
    const lines = allOf(client.lines$);
    expect(await within(client.closed$)).toEqual({ error: 'the peer reset the connection' });
    expect(await lines).toEqual([]);
  });
});

describe('error sentences', () => {
  it('says what to do about a port that cannot be used', () => {
    const eacces = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    expect(describeListenError(eacces, '0.0.0.0', 80)).toBe(
      'no permission to use port 80 on 0.0.0.0; choose one above 1023 with --port',
    );
  });

  it('describes connection failures, with the timeout in seconds', () => {
    const failure = (code: string) => Object.assign(new Error(code), { code });
    const sentence = (code: string) => describeConnectError(failure(code), 'pc', 5000, 10_000);
    expect(sentence('ETIMEDOUT')).toBe('no answer from pc:5000 within 10 s');
    expect(sentence('ENOTFOUND')).toBe('unknown host pc');
    expect(sentence('EHOSTUNREACH')).toBe(
      'host pc is unreachable; check the address and your network',
    );
    expect(sentence('EWHATEVER')).toBe('could not connect to pc:5000: EWHATEVER');
  });

  it('finds the code inside an AggregateError (IPv4 and IPv6 both tried)', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED ::1:5000'), {
      code: 'ECONNREFUSED',
    });
    const aggregate = new AggregateError([inner], '');
    expect(describeConnectError(aggregate, 'localhost', 5000, 10_000)).toBe(
      'connection refused by localhost:5000: nothing is listening there',
    );
  });

  it('gives up after timeoutMs with its own ETIMEDOUT, destroying the socket', async () => {
    const server = await serve();
    // Fake timers make the deadline pass before the loopback can answer: deterministic.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const seen: unknown[] = [];
    try {
      connect$({ host: HOST, port: server.port, timeoutMs: 1_500 }).subscribe((r) => seen.push(r));
      vi.advanceTimersByTime(1_500);
    } finally {
      vi.useRealTimers();
    }
    expect(seen).toEqual([
      left({ code: 'ETIMEDOUT', message: `no answer from ${HOST}:${server.port} within 1.5 s` }),
    ]);
  });
});

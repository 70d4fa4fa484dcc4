/**
 * What went wrong on a socket, in words a person can act on: which address, what happened,
 * and where it helps, what to try.
 */

type NodeError = Error & { code?: string; errors?: readonly NodeError[] };

/** The errno code of a Node error; an AggregateError (happy eyeballs) carries it inside. */
export const errorCode = (err: unknown): string => {
  const e = err as NodeError | undefined;
  return e?.code ?? e?.errors?.[0]?.code ?? 'UNKNOWN';
};

export const errorText = (err: unknown): string => {
  const e = err as NodeError | undefined;
  return e?.message || e?.errors?.[0]?.message || errorCode(err);
};

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNRESET: 'the peer reset the connection',
  EPIPE: 'the peer closed the connection while we were writing',
  ETIMEDOUT: 'the connection timed out',
};

/** What went wrong on an established connection, in words. */
export const describeSocketError = (err: unknown): string =>
  SOCKET_ERRORS[errorCode(err)] ?? errorText(err);

type Sentence = (host: string, port: number) => string;

const LISTEN_ERRORS: Readonly<Record<string, Sentence>> = {
  EADDRINUSE: (host, port) =>
    `port ${port} is already in use on ${host}; choose another with --port`,
  EACCES: (host, port) =>
    `no permission to use port ${port} on ${host}; choose one above 1023 with --port`,
  EADDRNOTAVAIL: (host) => `${host} is not an address of this machine; choose another host`,
  ENOTFOUND: (host) => `unknown host ${host}`,
  EAI_AGAIN: (host) => `unknown host ${host}`,
};

/** Why a server could not listen, in words a person can act on. */
export const describeListenError = (err: unknown, host: string, port: number): string =>
  LISTEN_ERRORS[errorCode(err)]?.(host, port) ??
  `could not listen on ${host}:${port}: ${errorText(err)}`;

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

const CONNECT_ERRORS: Readonly<Record<string, Sentence>> = {
  ECONNREFUSED: (host, port) => `connection refused by ${host}:${port}: nothing is listening there`,
  EHOSTUNREACH: (host) => `host ${host} is unreachable; check the address and your network`,
  ENETUNREACH: (host) => `no route to the network of ${host}; check the address and your network`,
  ENOTFOUND: (host) => `unknown host ${host}`,
  EAI_AGAIN: (host) => `unknown host ${host}`,
  ECONNRESET: (host, port) => `${host}:${port} reset the connection`,
};

/** Why a connection could not be made, in words a person can act on. */
export const describeConnectError = (
  err: unknown,
  host: string,
  port: number,
  timeoutMs: number,
): string =>
  errorCode(err) === 'ETIMEDOUT'
    ? `no answer from ${host}:${port} within ${seconds(timeoutMs)}`
    : (CONNECT_ERRORS[errorCode(err)]?.(host, port) ??
      `could not connect to ${host}:${port}: ${errorText(err)}`);

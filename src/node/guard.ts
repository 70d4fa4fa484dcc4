/**
 * Who may try a password, and how often: failures are counted per source (an address, or an
 * IPv6 /64), per claimed username, and over all, so that guessing does not scale with the
 * number of addresses an attacker holds. A handshake that did its DH but never proved the
 * password counts as a failure too (it cost us a DH). Sources that authenticated before — and
 * contacts' own addresses — are exempt from the username and global budgets, so a flood of
 * guesses cannot lock a contact out.
 */
import { GUARD_DEFAULTS } from '../limits.js';
import { type AuthLimitOptions, createAuthLimiter } from './defences.js';

export interface GuardOptions {
  readonly perSource: AuthLimitOptions;
  readonly perUsername: AuthLimitOptions;
  /** All failures together: past `maxFailures` in `windowMs`, a block that doubles each time. */
  readonly global: {
    readonly maxFailures: number;
    readonly windowMs: number;
    readonly firstBlockMs: number;
    readonly maxBlockMs: number;
  };
  /** Sources that authenticated, remembered at most (the oldest forgotten first). */
  readonly maxTrusted: number;
}

export interface Guard {
  /** Whether a new connection from `source` is answered `rate_limited` at once. */
  refusesConnection(source: string, trusted: boolean, nowMs: number): boolean;
  /** Whether a proof from `source`, claiming `username`, is answered without being checked. */
  refusesProof(
    source: string,
    username: string | undefined,
    trusted: boolean,
    nowMs: number,
  ): boolean;
  failed(source: string, username: string | undefined, trusted: boolean, nowMs: number): void;
  authenticated(source: string): void;
  /** Whether `source` authenticated before. */
  knows(source: string): boolean;
}

export const createGuard = (options: GuardOptions = GUARD_DEFAULTS): Guard => {
  const bySource = createAuthLimiter(options.perSource);
  const byUsername = createAuthLimiter(options.perUsername);
  const known = new Map<string, true>();
  const global = { windowStart: 0, failures: 0, blockedUntil: 0, blockMs: 0 };
  const globallyBlocked = (nowMs: number) => global.blockedUntil > nowMs;

  const countGlobally = (nowMs: number) => {
    if (nowMs - global.windowStart >= options.global.windowMs) {
      // A quiet window: the next block starts short again.
      if (nowMs - global.blockedUntil >= options.global.windowMs) global.blockMs = 0;
      global.windowStart = nowMs;
      global.failures = 0;
    }
    global.failures += 1;
    if (global.failures >= options.global.maxFailures && !globallyBlocked(nowMs)) {
      global.blockMs = Math.min(
        global.blockMs === 0 ? options.global.firstBlockMs : global.blockMs * 2,
        options.global.maxBlockMs,
      );
      global.blockedUntil = nowMs + global.blockMs;
      global.failures = 0;
    }
  };

  return {
    refusesConnection: (source, trusted, nowMs) =>
      bySource.isLimited(source, nowMs) || (!trusted && globallyBlocked(nowMs)),
    refusesProof: (source, username, trusted, nowMs) =>
      bySource.isLimited(source, nowMs) ||
      (!trusted &&
        (globallyBlocked(nowMs) ||
          (username !== undefined && byUsername.isLimited(username, nowMs)))),
    failed(source, username, trusted, nowMs) {
      bySource.recordFailure(source, nowMs);
      if (trusted) return;
      if (username !== undefined) byUsername.recordFailure(username, nowMs);
      countGlobally(nowMs);
    },
    authenticated(source) {
      known.delete(source); // re-inserted last: the Map stays ordered oldest first
      known.set(source, true);
      if (known.size > options.maxTrusted) known.delete(known.keys().next().value as string);
    },
    knows: (source) => known.has(source),
  };
};

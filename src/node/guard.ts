/**
 * Who may try a password, and how often: failures are counted per source (an address, or an
 * IPv6 /64), per claimed username, and over all, so that guessing does not scale with the
 * number of addresses an attacker holds. A handshake that did its DH but never proved the
 * password counts as a failure too (it cost us a DH).
 *
 * Trust is per (source, contact): a contact that authenticated from a source before — or whose
 * directory address it is — is exempt there from the username and global budgets, so a flood of
 * guesses cannot lock it out. It exempts guesses at that contact's own username only: one
 * contact's success is never a pass for guessing at another's password (a contact holding many
 * addresses would otherwise escape both budgets from each of them).
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
  /** (source, contact) pairs that authenticated, remembered at most (the oldest forgotten first). */
  readonly maxTrusted: number;
}

/** The usernames of the contacts whose directory address is `source` (the directory as it is now). */
export type ContactsAt = (source: string) => readonly string[];

export interface Guard {
  /**
   * Whether `source` is trusted for some contact: a connection from it passes the global block
   * and keeps its place at the cap (its claimed name is not known yet). What its guesses escape
   * is decided per username, when it proves (`refusesProof`, `failed`).
   */
  trustsSource(source: string): boolean;
  /** Whether a guess from `source` at `username`'s password is exempt from the username and global budgets. */
  trusts(source: string, username: string | undefined): boolean;
  /** Whether a new connection from `source` is answered `rate_limited` at once. */
  refusesConnection(source: string, nowMs: number): boolean;
  /** Whether a proof from `source`, claiming `username`, is answered without being checked. */
  refusesProof(source: string, username: string | undefined, nowMs: number): boolean;
  failed(source: string, username: string | undefined, nowMs: number): void;
  /** `username` proved its password from `source`: trusted there for that username. */
  authenticated(source: string, username: string): void;
}

// A source is an address (no spaces), so the first space ends it.
const pairKey = (source: string, username: string) => `${source} ${username}`;

export const createGuard = (
  options: GuardOptions = GUARD_DEFAULTS,
  contactsAt: ContactsAt = () => [],
): Guard => {
  const bySource = createAuthLimiter(options.perSource);
  const byUsername = createAuthLimiter(options.perUsername);
  /** Pairs that authenticated, oldest first; and how many of them each source has. */
  const known = new Map<string, string>();
  const knownPerSource = new Map<string, number>();
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

  const forget = (key: string) => {
    const source = known.get(key);
    if (source === undefined) return;
    known.delete(key);
    const left = (knownPerSource.get(source) ?? 1) - 1;
    if (left === 0) knownPerSource.delete(source);
    else knownPerSource.set(source, left);
  };

  const trusts = (source: string, username: string | undefined) =>
    username !== undefined &&
    (known.has(pairKey(source, username)) || contactsAt(source).includes(username));

  const trustsSource = (source: string) =>
    knownPerSource.has(source) || contactsAt(source).length > 0;

  /**
   * What a failure is counted against at the per-source limit: a contact's own guesses from an
   * address it is trusted at count for that pair alone, so that others failing from the same
   * address (a shared NAT) do not lock it out; anyone else's, for the address.
   */
  const sourceKey = (source: string, username: string | undefined) =>
    username !== undefined && trusts(source, username) ? pairKey(source, username) : source;

  return {
    trustsSource,
    trusts,
    // An address trusted for some contact is let in even while limited: who it claims to be
    // is known only at its hello, and its budget is asked before any work (refusesProof).
    refusesConnection: (source, nowMs) =>
      !trustsSource(source) && (bySource.isLimited(source, nowMs) || globallyBlocked(nowMs)),
    refusesProof: (source, username, nowMs) =>
      bySource.isLimited(sourceKey(source, username), nowMs) ||
      (!trusts(source, username) &&
        (globallyBlocked(nowMs) ||
          (username !== undefined && byUsername.isLimited(username, nowMs)))),
    failed(source, username, nowMs) {
      bySource.recordFailure(sourceKey(source, username), nowMs);
      if (trusts(source, username)) return;
      if (username !== undefined) byUsername.recordFailure(username, nowMs);
      countGlobally(nowMs);
    },
    authenticated(source, username) {
      const key = pairKey(source, username);
      forget(key); // re-inserted last: the Map stays ordered oldest first
      known.set(key, source);
      knownPerSource.set(source, (knownPerSource.get(source) ?? 0) + 1);
      if (known.size > options.maxTrusted) forget(known.keys().next().value as string);
    },
  };
};

/**
 * The responder's defences that span connections: a slowdown for addresses that keep failing
 * authentication, and the choice of whom a newcomer may replace when the cap is full. Bounded
 * in memory, and keyed by address so that one address never blocks another.
 */
import { DEFAULT_AUTH_LIMIT } from '../limits.js';

export interface AuthLimitOptions {
  /** Failed authentications from one address within `windowMs` before it is slowed down. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** How long such an address is answered `rate_limited`. */
  readonly blockMs: number;
  /** How many addresses are remembered at most (the oldest are forgotten first). */
  readonly maxAddresses: number;
}

export { DEFAULT_AUTH_LIMIT } from '../limits.js';

export interface AuthLimiter {
  /** True while the address must be answered `rate_limited`. */
  isLimited(address: string, nowMs: number): boolean;
  recordFailure(address: string, nowMs: number): void;
}

interface SourceRecord {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

export const createAuthLimiter = (options: Partial<AuthLimitOptions> = {}): AuthLimiter => {
  const { maxFailures, windowMs, blockMs, maxAddresses } = { ...DEFAULT_AUTH_LIMIT, ...options };
  const byAddress = new Map<string, SourceRecord>();
  return {
    isLimited: (address, nowMs) => (byAddress.get(address)?.blockedUntil ?? 0) > nowMs,
    recordFailure(address, nowMs) {
      const known = byAddress.get(address);
      const record =
        known && nowMs - known.windowStart < windowMs
          ? known
          : { windowStart: nowMs, failures: 0, blockedUntil: known?.blockedUntil ?? 0 };
      record.failures += 1;
      if (record.failures >= maxFailures) record.blockedUntil = nowMs + blockMs;
      byAddress.delete(address); // re-inserted last: the Map stays ordered oldest first
      byAddress.set(address, record);
      if (byAddress.size > maxAddresses) {
        byAddress.delete(byAddress.keys().next().value as string);
      }
    },
  };
};

/**
 * Whom the defences count a connection against. An IPv6 peer usually holds a whole /64, so
 * counting its addresses one by one would give it a fresh share (and fresh guesses) per
 * address: it is counted per /64. IPv4 (and IPv4 mapped into IPv6) per address.
 */
export const sourceOf = (address: string): string => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const zeros = new Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
  const groups = address.includes('::') ? [...headGroups, ...zeros, ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
};

/** A connection in progress, as the cap sees it. */
export interface InProgress {
  /** Whom it counts against (see `sourceOf`). */
  readonly source: string;
  /** Frames we have answered it with: how far it got (0: it has said nothing yet). */
  progress: number;
  /** Set once the peer has proved the shared password: from then on it is never evicted. */
  authenticated: boolean;
  /** From a source we trust: a contact's address, or one that authenticated before. */
  readonly trusted: boolean;
}

/**
 * When the cap is full, the connection a newcomer may take the place of: one not yet
 * authenticated that made the least progress; among those, of the source holding the most;
 * then the oldest. A newcomer from a source we do not trust never takes a trusted source's
 * place. So silent connections from many sources cannot keep a contact out (they go first),
 * and neither can one source holding many. `inProgress` is oldest first.
 */
export const pickEviction = <C extends InProgress>(
  inProgress: Iterable<C>,
  perSource: ReadonlyMap<string, number>,
  newcomerTrusted: boolean,
): C | undefined => {
  let chosen: C | undefined;
  let best: readonly [number, number] | undefined;
  for (const candidate of inProgress) {
    if (candidate.authenticated || (candidate.trusted && !newcomerTrusted)) continue;
    const rank = [candidate.progress, -(perSource.get(candidate.source) ?? 0)] as const;
    // Strictly better: among equals, the first met is the oldest.
    if (best === undefined || rank[0] < best[0] || (rank[0] === best[0] && rank[1] < best[1])) {
      chosen = candidate;
      best = rank;
    }
  }
  return chosen;
};

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
  /** Set once the peer has proved the shared password: from then on it is never evicted. */
  authenticated: boolean;
}

/**
 * When the cap is full, the connection a newcomer from `source` may take the place of: the
 * oldest not yet authenticated of the address holding the most connections, provided that
 * address holds more than the newcomer's would with it. A flood from several addresses then
 * cannot shut out an address that holds few, and an address cannot evict its own.
 * `inProgress` is oldest first.
 */
export const pickEviction = <C extends InProgress>(
  inProgress: Iterable<C>,
  perSource: ReadonlyMap<string, number>,
  source: string,
): C | undefined => {
  let chosen: C | undefined;
  let most = (perSource.get(source) ?? 0) + 1;
  for (const candidate of inProgress) {
    const held = perSource.get(candidate.source) ?? 0;
    // Strictly more: the first met of an address is its oldest.
    if (!candidate.authenticated && held > most) {
      chosen = candidate;
      most = held;
    }
  }
  return chosen;
};

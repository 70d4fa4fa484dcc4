/**
 * The responder's defences that span connections: a slowdown for addresses that keep failing
 * authentication. Bounded in memory, and keyed by address so that one address never blocks
 * another.
 */

export interface AuthLimitOptions {
  /** Failed authentications from one address within `windowMs` before it is slowed down. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** How long such an address is answered `rate_limited`. */
  readonly blockMs: number;
  /** How many addresses are remembered at most (the oldest are forgotten first). */
  readonly maxAddresses: number;
}

export const DEFAULT_AUTH_LIMIT: AuthLimitOptions = {
  maxFailures: 5,
  windowMs: 60_000,
  blockMs: 30_000,
  maxAddresses: 10_000,
};

export interface AuthLimiter {
  /** True while the address must be answered `rate_limited`. */
  isLimited(address: string, nowMs: number): boolean;
  recordFailure(address: string, nowMs: number): void;
}

interface Record {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

export const createAuthLimiter = (options: Partial<AuthLimitOptions> = {}): AuthLimiter => {
  const { maxFailures, windowMs, blockMs, maxAddresses } = { ...DEFAULT_AUTH_LIMIT, ...options };
  const byAddress = new Map<string, Record>();
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

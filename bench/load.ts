/**
 * Load generators shared by the parley sender and the plain TCP client, so that both sides
 * of every comparison are driven by exactly the same loop.
 */

/** One delivery attempt: did it complete, and if not, why. */
export interface Outcome {
  readonly ok: boolean;
  readonly reason?: string;
}

export interface Failures {
  readonly failures: number;
  /** A few distinct reasons, for the person reading the output. */
  readonly reasons: readonly string[];
}

export interface Samples extends Failures {
  readonly samplesMs: readonly number[];
}

export interface Rate extends Failures {
  /** Completions inside the measuring window, per second. */
  readonly perSecond: number;
  readonly completed: number;
  readonly attempts: number;
}

export interface LoadShape {
  readonly concurrency: number;
  /** Run, but do not count, for this long first. */
  readonly warmupMs: number;
  /** Count completions for this long. */
  readonly windowMs: number;
  /** Start no more attempts than this, whatever the time (keeps ports and memory bounded). */
  readonly maxAttempts: number;
}

const MAX_REASONS = 5;

const failureLog = () => {
  let failures = 0;
  const reasons = new Set<string>();
  return {
    record(outcome: Outcome) {
      if (outcome.ok) return;
      failures += 1;
      if (reasons.size < MAX_REASONS) reasons.add(outcome.reason ?? 'unknown');
    },
    result: (): Failures => ({ failures, reasons: [...reasons] }),
  };
};

/** `count` attempts one after another; each sample is one attempt's wall time. */
export const sequential = async (
  attempt: () => Promise<Outcome>,
  count: number,
): Promise<Samples> => {
  const log = failureLog();
  const samplesMs: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const outcome = await attempt();
    if (outcome.ok) samplesMs.push(performance.now() - started);
    log.record(outcome);
  }
  return { samplesMs, ...log.result() };
};

/**
 * A closed loop: `concurrency` workers, each starting its next attempt as soon as the last
 * one ends. Completions are counted only inside the window after the warm-up; the window
 * ends early if `maxAttempts` runs out first, and the rate uses the window actually covered.
 */
export const closedLoop = async (
  attempt: () => Promise<Outcome>,
  shape: LoadShape,
): Promise<Rate> => {
  const log = failureLog();
  const windowStart = performance.now() + shape.warmupMs;
  const windowEnd = windowStart + shape.windowMs;
  let attempts = 0;
  let completed = 0;
  let lastCompletion = windowStart;

  const worker = async () => {
    while (performance.now() < windowEnd && attempts < shape.maxAttempts) {
      attempts += 1;
      const outcome = await attempt();
      const at = performance.now();
      log.record(outcome);
      if (outcome.ok && at >= windowStart && at < windowEnd) {
        completed += 1;
        lastCompletion = at;
      }
    }
  };
  await Promise.all(Array.from({ length: shape.concurrency }, worker));

  const coveredMs = attempts >= shape.maxAttempts ? lastCompletion - windowStart : shape.windowMs;
  return {
    perSecond: coveredMs > 0 ? completed / (coveredMs / 1000) : 0,
    completed,
    attempts,
    ...log.result(),
  };
};

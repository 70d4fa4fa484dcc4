/** Small pure helpers for the figures: percentiles and rounding. */

/** The p-th percentile by nearest rank (p in 0–100); NaN for no samples. */
export const percentile = (samples: readonly number[], p: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
};

/** Round to `digits` decimals, as a number (for JSON). */
export const round = (x: number, digits = 0): number => {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
};

/** The middle value (the upper one of an even count), by `key`. */
export const median = <T>(xs: readonly T[], key: (x: T) => number): T => {
  const sorted = [...xs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor(sorted.length / 2)]!;
};

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The entry with the greatest value, ties to the first. */
export const argMax = <K extends string>(values: Readonly<Record<K, number>>): K => {
  const keys = Object.keys(values) as K[];
  return keys.reduce((best, k) => (values[k] > values[best] ? k : best), keys[0]!);
};

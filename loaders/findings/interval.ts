// Confidence intervals for shares estimated from samples: a profile at 99 Hz that puts
// 935 of 1,987 samples in hashing says 47.1%, but a different 20 s could have said 45% or
// 49%. The Wilson score interval stays inside [0, 1] and behaves at small counts and at
// shares near 0 or 1, where the normal approximation does not.

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** Below this many samples a share is not ranked: the interval is too wide to say much. */
export const MIN_SAMPLES = 100;

/** Wilson score interval for `k` successes in `n` trials; null when n is 0. */
export function wilson(k: number, n: number, z = Z95): [number, number] | null {
  if (!(n > 0)) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Whether two shares differ by more than sampling noise: a two-proportion z-test at 95%
 * (pooled). Used to leave a differential flame graph's unchanged frames uncoloured.
 */
export function sharesDiffer(k1: number, n1: number, k2: number, n2: number, z = Z95): boolean {
  if (!(n1 > 0 && n2 > 0)) return false;
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return k1 / n1 !== k2 / n2;
  return Math.abs(k1 / n1 - k2 / n2) / se > z;
}

// Quantiles of log2 histograms: bpftrace keeps counts per bucket, not samples, so a
// quantile is known only as the bucket holding it; an interpolated estimate is offered
// separately and labelled as such.

export interface Bucket {
  lo: number | null;
  hi: number | null;
  count: number;
}

export interface QuantileBucket {
  lo: number | null;
  hi: number | null;
  /** Linear interpolation inside the bucket: an estimate, not a measurement. */
  estimate: number | null;
}

/** The bucket holding quantile q (0..1) of the counts, buckets sorted by lo (open first). */
export function quantileBucket(buckets: Bucket[], q: number): QuantileBucket | null {
  const total = buckets.reduce((s, b) => s + b.count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const b of buckets) {
    if (b.count === 0) continue;
    if (seen + b.count >= rank) {
      const within = (rank - seen) / b.count;
      const estimate = b.lo !== null && b.hi !== null ? b.lo + within * (b.hi - b.lo) : null;
      return {lo: b.lo, hi: b.hi, estimate};
    }
    seen += b.count;
  }
  const last = buckets.filter((b) => b.count > 0).at(-1)!;
  return {lo: last.lo, hi: last.hi, estimate: null};
}

export function total(buckets: Bucket[]): number {
  return buckets.reduce((s, b) => s + b.count, 0);
}

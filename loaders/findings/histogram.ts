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

export interface HeatCell {
  t_s: number;
  lo: number | null;
  hi: number | null;
  count: number;
  /** The cell's share of its interval's events. */
  share: number;
}

export interface IntervalQuantile {
  t_s: number;
  quantile: string;
  lo: number | null;
  hi: number | null;
}

/**
 * A latency heat map from per-interval buckets (time × bucket, colour = count), with the
 * bucket holding each interval's p50 and p99: the rows of any histogram source's view.
 */
export function intervalHeatmap(rows: {t_s: number; lo: number | null; hi: number | null; count: number}[]): {cells: HeatCell[]; quantiles: IntervalQuantile[]} {
  const byT = new Map<number, Bucket[]>();
  for (const r of rows) byT.set(r.t_s, [...(byT.get(r.t_s) ?? []), {lo: r.lo, hi: r.hi, count: r.count}]);
  const cells: HeatCell[] = [];
  const quantiles: IntervalQuantile[] = [];
  for (const [t_s, buckets] of [...byT].sort((a, b) => a[0] - b[0])) {
    buckets.sort((a, b) => (a.lo ?? -Infinity) - (b.lo ?? -Infinity));
    const n = total(buckets);
    for (const b of buckets) if (b.count > 0) cells.push({t_s, lo: b.lo, hi: b.hi, count: b.count, share: b.count / n});
    for (const [quantile, q] of [["p50", 0.5], ["p99", 0.99]] as const) {
      const at = quantileBucket(buckets, q);
      if (at) quantiles.push({t_s, quantile, lo: at.lo, hi: at.hi});
    }
  }
  return {cells, quantiles};
}

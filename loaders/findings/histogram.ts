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

/**
 * SQL for a latency heat map over `buckets` (a query giving t_s, lo, hi, count per bucket):
 * `cells`, each bucket of each interval with its share of the interval's events, and
 * `quantiles`, the bucket holding each interval's p50 and p99 (the first whose running
 * count reaches the rank, as quantileBucket finds it). In SQL, so a page asks DuckDB for
 * the pivot instead of reshaping rows itself.
 */
export function intervalHeatmapSql(buckets: string): {cells: string; quantiles: string} {
  // `level` numbers the buckets from the fastest (open below first), for the chart's rows.
  const base = `WITH b AS (SELECT t_s, lo, hi, sum(count)::DOUBLE AS count FROM (${buckets}) WHERE t_s IS NOT NULL GROUP BY ALL HAVING sum(count) > 0),
levels AS (SELECT lo, dense_rank() OVER (ORDER BY lo NULLS FIRST) AS level FROM (SELECT DISTINCT lo FROM b))`;
  return {
    cells: `${base}
SELECT t_s, b.lo, hi, count, count / sum(count) OVER (PARTITION BY t_s) AS share, level
FROM b JOIN levels ON b.lo IS NOT DISTINCT FROM levels.lo ORDER BY t_s, b.lo NULLS FIRST`,
    quantiles: `${base},
c AS (SELECT *, sum(count) OVER (PARTITION BY t_s ORDER BY lo NULLS FIRST ROWS UNBOUNDED PRECEDING) AS upto, sum(count) OVER (PARTITION BY t_s) AS total FROM b),
r AS (SELECT t_s, w.quantile, arg_min({'lo': lo, 'hi': hi}, upto) AS bucket FROM c, (VALUES ('p50', 0.5), ('p99', 0.99)) w(quantile, rank)
      WHERE upto >= w.rank * total GROUP BY t_s, w.quantile)
SELECT t_s, quantile, bucket.lo AS lo, bucket.hi AS hi, level
FROM r JOIN levels ON bucket.lo IS NOT DISTINCT FROM levels.lo ORDER BY t_s, quantile`
  };
}

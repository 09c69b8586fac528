// latency.bursts — whether block-I/O tail latency comes in bursts: each interval's p99
// (the bucket holding it) against the median interval's, from captures that print per
// interval (bcc's -T, bpftrace programs printing time() then their maps) or events with
// times. A whole-window histogram cannot show bursts, and the finding says so.

import {answeringFiles, cannotTell, evidenceMetrics, evidenceOf, usable, withRows} from "./evidence.js";
import {count, durationRange, list, num, percent} from "./format.js";
import {type Bucket, quantileBucket, total} from "./histogram.js";
import {defineFinding} from "./types.js";

/** An interval is a burst when its p99 bucket starts at or above this many times the median interval's p99 upper bound. */
export const BURST_FACTOR = 2;
/** Fewer intervals than this cannot show a burst against a median. */
export const MIN_INTERVALS = 3;
/** An interval with fewer I/Os cannot be a burst: the p99 of under 100 I/Os is just their slowest. */
export const MIN_BURST_IOS = 100;

const EVIDENCE = answeringFiles("block_io_latency", [withRows("block_io_latency", "v.t_s IS NOT NULL")]);

// Per interval, all classes together (a source printing only per-class rows is summed).
const INTERVALS = `SELECT l.file, l.t_s, l.lo_us AS lo, l.hi_us AS hi, sum(l.count)::DOUBLE AS count
FROM block_io_latency l WHERE l.t_s IS NOT NULL AND (l.class IS NULL OR NOT EXISTS (SELECT 1 FROM block_io_latency a WHERE a.file = l.file AND a.class IS NULL))
GROUP BY ALL ORDER BY l.file, l.t_s, lo NULLS FIRST`;

export type Interval = {t_s: number; ios: number; p99_lo_us: number | null; p99_hi_us: number | null};
export type Burst = {start_s: number; duration_s: number; intervals: number; peak_p99_lo_us: number | null; peak_p99_hi_us: number | null; ios: number};

/** The upper end of a p99 bucket (its lower bound when open above), for ordering intervals. */
const top = (i: Interval) => i.p99_hi_us ?? i.p99_lo_us ?? 0;

export const latencyBursts = defineFinding({
  id: "latency.bursts",
  title: "Block I/O: steady tail or bursts",
  queries: {evidence: EVIDENCE, intervals: INTERVALS},
  evaluate({evidence, intervals}) {
    const primary = evidence[0];
    const ref = evidenceOf(primary);
    const byT = new Map<number, Bucket[]>();
    for (const r of intervals.filter((x) => x.file === primary?.file)) {
      const list = byT.get(num(r.t_s)) ?? [];
      list.push({lo: r.lo === null ? null : num(r.lo), hi: r.hi === null ? null : num(r.hi), count: num(r.count)});
      byT.set(num(r.t_s), list);
    }
    const series: Interval[] = [...byT]
      .sort((a, b) => a[0] - b[0])
      .map(([t_s, buckets]) => {
        const p99 = quantileBucket(buckets, 0.99);
        return {t_s, ios: total(buckets), p99_lo_us: p99?.lo ?? null, p99_hi_us: p99?.hi ?? null};
      })
      .filter((i) => i.ios > 0);
    const sorted = [...series].sort((a, b) => top(a) - top(b));
    const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
    const threshold = median ? BURST_FACTOR * top(median) : null;
    const isBurst = (i: Interval) => threshold !== null && i.ios >= MIN_BURST_IOS && i.p99_lo_us !== null && i.p99_lo_us >= threshold;
    // Consecutive burst intervals make one burst; the step is the usual gap between intervals.
    const step = series.length > 1 ? Math.min(...series.slice(1).map((i, k) => i.t_s - series[k].t_s)) : 1;
    const bursts: Burst[] = [];
    for (const i of series) {
      if (!isBurst(i)) continue;
      const last = bursts.at(-1);
      if (last && i.t_s - (last.start_s + last.duration_s - step) <= step) {
        last.duration_s = i.t_s - last.start_s + step;
        last.intervals++;
        last.ios += i.ios;
        if (top(i) > (last.peak_p99_hi_us ?? last.peak_p99_lo_us ?? 0)) [last.peak_p99_lo_us, last.peak_p99_hi_us] = [i.p99_lo_us, i.p99_hi_us];
      } else {
        bursts.push({start_s: i.t_s, duration_s: step, intervals: 1, peak_p99_lo_us: i.p99_lo_us, peak_p99_hi_us: i.p99_hi_us, ios: i.ios});
      }
    }
    const ios = series.reduce((s, i) => s + i.ios, 0);
    const inside = bursts.reduce((s, b) => s + b.ios, 0);
    const metrics = {
      ...evidenceMetrics(ref),
      intervals: series.length,
      interval_s: series.length > 1 ? step : null,
      ios,
      median_p99_lo_us: median?.p99_lo_us ?? null,
      median_p99_hi_us: median?.p99_hi_us ?? null,
      burst_factor: BURST_FACTOR,
      min_burst_ios: MIN_BURST_IOS,
      bursts,
      burst_ios_share: ios ? inside / ios : null,
      series
    };
    if (!primary) return {severity: "info", conclusive: false, verdict: "no block-I/O capture", metrics, narrative: "This bundle has no block-I/O latency capture."};
    if (!usable(ref)) return {severity: "info", conclusive: false, verdict: `cannot tell: block-I/O capture ${ref!.status}`, metrics, narrative: cannotTell(ref!, "whether the tail comes in bursts")};
    const from = `From ${primary.file} (${primary.source}): `;
    if (series.length < MIN_INTERVALS) {
      return {
        severity: "info",
        conclusive: false, verdict: "no intervals",
        metrics,
        narrative: `${from}${series.length ? `only ${series.length} interval${series.length === 1 ? "" : "s"} with I/O` : "one histogram for the whole window"}, so whether the tail comes in bursts cannot be seen; capture with an interval (bcc's -T 1, or time() and print() on interval:s:1) to tell.`
      };
    }
    const range = (i: {p99_lo_us: number | null; p99_hi_us: number | null}) => durationRange(i.p99_lo_us, i.p99_hi_us);
    const spread = `${series.length} intervals of ${count(ios)} I/Os: p99 per interval from ${range(sorted[0])} to ${range(sorted.at(-1)!)}, median interval ${range(median!)}`;
    if (!series.some((i) => i.ios >= MIN_BURST_IOS)) {
      return {
        severity: "info",
        conclusive: false,
        verdict: "too few I/Os per interval",
        metrics,
        narrative: `${from}${spread}; no interval has ${MIN_BURST_IOS} I/Os or more, too few for a p99 to tell a burst from the slowest few I/Os.`
      };
    }
    if (!bursts.length) {
      return {
        severity: "info",
        verdict: "steady tail",
        metrics,
        narrative: `${from}${spread}; no interval with ${MIN_BURST_IOS} I/Os or more has its p99 at ${BURST_FACTOR}× the median interval's, so the tail is steady.`
      };
    }
    const described = bursts.map((b) => `at ${b.start_s} s for ${b.duration_s} s (p99 up to ${range({p99_lo_us: b.peak_p99_lo_us, p99_hi_us: b.peak_p99_hi_us})})`);
    return {
      severity: "warning",
      verdict: `${bursts.length} latency burst${bursts.length === 1 ? "" : "s"}`,
      metrics,
      narrative: `${from}${spread}. ${bursts.length === 1 ? "One burst" : `${bursts.length} bursts`} with p99 at least ${BURST_FACTOR}× the median interval's: ${list(described)}, holding ${percent(inside / ios)} of the I/Os.`
    };
  },
  headline: (m) => (m.intervals >= MIN_INTERVALS ? `${m.bursts.length} burst${m.bursts.length === 1 ? "" : "s"} in ${m.intervals} intervals` : null),
  chart: (_rows, m) =>
    m.series.length >= MIN_INTERVALS
      ? {kind: "bars", title: "p99 service time per interval (upper bound of its bucket)", xTitle: "ms", bars: m.series.map((i) => ({name: `${i.t_s} s`, value: (i.p99_hi_us ?? i.p99_lo_us ?? 0) / 1000}))}
      : null
});

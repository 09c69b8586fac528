// vega-lite chart helpers for bpftrace histograms.
import vl from "observablehq:stdlib/vega-lite";
import {format} from "./findings.generated.js";

export interface BucketRow {
  lo: number | null;
  hi: number | null;
  count: number;
  label: string;
}

/** Bars of a log2 histogram in bucket order; the label is how bpftrace printed the bucket. */
export function histogramChart(rows: BucketRow[], {title = "", width = 560, xTitle = "latency bucket"} = {}): Promise<HTMLElement> {
  return vl
    .markBar({tooltip: true})
    .data(rows.map((r, i) => ({...r, order: i})))
    .encode(
      vl.x().fieldO("label").sort({field: "order"}).title(xTitle),
      vl.y().fieldQ("count").title("count"),
      vl.tooltip([
        {field: "label", type: "nominal", title: "bucket"},
        {field: "count", type: "quantitative"}
      ])
    )
    .title(title)
    .width(width)
    .height(180)
    .render();
}

/** Horizontal bars of a number per name (calls per thread, bytes per class…). */
export function barChart(rows: {name: string; value: number}[], {title = "", width = 560, xTitle = "value", yTitle = ""} = {}): Promise<HTMLElement> {
  return vl
    .markBar({tooltip: true})
    .data(rows)
    .encode(vl.y().fieldN("name").sort("-x").title(yTitle), vl.x().fieldQ("value").title(xTitle))
    .title(title)
    .width(width)
    .height(Math.max(40, 22 * rows.length))
    .render();
}

/** Cumulative share of events by bucket upper bound, one line per series, on a log x axis. */
export function cdfChart(rows: {series: string; hi: number; share: number}[], {title = "", width = 560, xTitle = "µs"} = {}): Promise<HTMLElement> {
  return vl
    .markLine({point: true, tooltip: true, interpolate: "step-after"})
    .data(rows)
    .encode(vl.x().fieldQ("hi").scale({type: "log"}).title(xTitle), vl.y().fieldQ("share").axis({format: "%"}).title("share of events ≤ x"), vl.color().fieldN("series"))
    .title(title)
    .width(width)
    .height(220)
    .render();
}

/** Counts per bucket on a log y axis, one colour per series, bucket lower bounds on a log x axis. */
export function logHistogramChart(rows: {series: string; lo: number; count: number; label: string}[], {title = "", width = 560, xTitle = "µs"} = {}): Promise<HTMLElement> {
  return vl
    .markBar({tooltip: true, opacity: 0.7})
    .data(rows.filter((r) => r.lo > 0))
    .encode(vl.x().fieldQ("lo").scale({type: "log", base: 2}).title(xTitle), vl.y().fieldQ("count").scale({type: "symlog"}).title("count (symlog)"), vl.color().fieldN("series"), vl.tooltip([{field: "series"}, {field: "label", title: "bucket"}, {field: "count"}]))
    .title(title)
    .width(width)
    .height(220)
    .render();
}

/**
 * A latency heat map: one column per interval, one row per bucket (slowest at the top),
 * colour the I/Os in that cell, tooltip with the count and its share of the interval;
 * a line marks each interval's p99 bucket.
 */
/** Time × latency bucket, colour = count, with dashed lines through the buckets holding each interval's p50 and p99 (intervalHeatmap). */
export function heatmapChart(
  {cells, quantiles}: {cells: {t_s: number; lo: number | null; hi: number | null; count: number; share: number}[]; quantiles: {t_s: number; quantile: string; lo: number | null; hi: number | null}[]},
  {title = "", width = 560, what = "I/Os", yTitle = "service-time bucket"} = {}
): Promise<HTMLElement> {
  // Buckets in order of their lower bound (open below first), labelled as printed.
  const levels = [...new Set(cells.map((c) => c.lo))].sort((a, b) => (a ?? -Infinity) - (b ?? -Infinity));
  const label = (lo: number | null, hi: number | null) => format.durationRange(lo, hi);
  const y = vl.y().fieldO("label").sort({field: "order", order: "descending"}).title(yTitle);
  const x = vl.x().fieldO("t_s").title("seconds from the first interval");
  return vl
    .layer(
      vl
        .markRect({tooltip: true})
        .data(cells.map((c) => ({...c, label: label(c.lo, c.hi), order: levels.indexOf(c.lo)})))
        .encode(x, y, vl.color().fieldQ("count").scale({type: "log", scheme: "oranges"}).title(what), vl.tooltip([{field: "t_s", title: "s"}, {field: "label", title: "bucket"}, {field: "count", title: what}, {field: "share", format: ".1%", title: "share of the interval"}])),
      vl
        .markLine({point: true})
        .data(quantiles.map((q) => ({...q, label: label(q.lo, q.hi), order: levels.indexOf(q.lo)})))
        .encode(x, y, vl.strokeDash().fieldN("quantile").title("bucket holding"), vl.color().value("#333"), vl.detail().fieldN("quantile"))
    )
    .title(title)
    .width(width)
    .height(220)
    .render();
}

/** A number per interval, one line per series: calls per second by thread, over the capture. */
export function timeSeriesChart(rows: {t_s: number; series: string; value: number}[], {title = "", width = 560, yTitle = "per interval"} = {}): Promise<HTMLElement> {
  return vl
    .markLine({point: true, tooltip: true})
    .data(rows)
    .encode(vl.x().fieldQ("t_s").title("seconds from the first interval"), vl.y().fieldQ("value").title(yTitle), vl.color().fieldN("series").title("thread"))
    .title(title)
    .width(width)
    .height(200)
    .render();
}

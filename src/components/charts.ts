// vega-lite chart helpers for bpftrace histograms. What a chart needs beyond the query's
// rows (a bucket's label, its order) is derived with arquero; its expressions are given as
// text, which the bundler cannot rename (arquero parses them and expects `op`).
import * as aq from "npm:arquero";
import vl from "observablehq:stdlib/vega-lite";
import {format} from "./findings.generated.js";
import {ALL_COLOUR, colourScale} from "./palette.js";

/**
 * A chart's whole width, axes and legend included, is the width it is given: with the
 * legend outside it, a page's chart ran into Framework's table of contents beside it.
 */
export const FIT = {type: "fit-x", contains: "padding"} as const;

/** A bucket's label as bpftrace prints it: `2–4 ms`, `< 64 µs`. */
const labelled = aq.escape((d: {lo: number | null; hi: number | null}) => format.durationRange(d.lo, d.hi));

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
    .data(aq.from(rows).derive({order: "() => op.row_number()", share: "d => d.count / op.sum(d.count)"}).objects())
    .encode(
      vl.x().fieldO("label").sort({field: "order"}).title(xTitle),
      vl.y().fieldQ("count").title("count"),
      vl.tooltip([
        {field: "label", type: "nominal", title: "bucket"},
        {field: "count", type: "quantitative"},
        {field: "share", type: "quantitative", format: ".1%", title: "share"}
      ])
    )
    .title(title)
    .width(width)
    .autosize(FIT)
    .height(180)
    .render();
}

/** Horizontal bars of a number per name (calls per thread, bytes per class…). */
export function barChart(rows: {name: string; value: number}[], {title = "", width = 560, xTitle = "value", yTitle = ""} = {}): Promise<HTMLElement> {
  return vl
    .markBar({tooltip: true})
    .data(rows)
    // Each name keeps its colour on every page (an off-CPU class, an I/O class, a thread).
    .encode(vl.y().fieldN("name").sort("-x").title(yTitle), vl.x().fieldQ("value").title(xTitle), vl.color().fieldN("name").scale(colourScale(rows.map((r) => r.name))).legend(null))
    .title(title)
    .width(width)
    .autosize(FIT)
    .height(Math.max(40, 22 * rows.length))
    .render();
}

/** Cumulative share of events by bucket upper bound, one line per series, on a log x axis. */
export function cdfChart(rows: {series: string; hi: number; share: number}[], {title = "", width = 560, xTitle = "µs"} = {}): Promise<HTMLElement> {
  return vl
    .markLine({point: true, tooltip: true, interpolate: "step-after"})
    .data(rows)
    .encode(vl.x().fieldQ("hi").scale({type: "log"}).title(xTitle), vl.y().fieldQ("share").axis({format: "%"}).title("share of events ≤ x"), vl.color().fieldN("series").scale(colourScale(rows.map((r) => r.series))))
    .title(title)
    .width(width)
    .autosize(FIT)
    .height(220)
    .render();
}

/**
 * Counts per bucket on a log y axis, each bar spanning its bucket on a log2 x axis (the open
 * bucket below has none, and is left out). Classes are bars in their own colours, never
 * stacked; `all` (every class together) is an outline over them, so it is not counted twice.
 * Tooltips give the bucket's bounds, its count and its share of the series; `seriesTitle`
 * names what the series are (RWBS classes, threads).
 */
export function logHistogramChart(
  rows: {series: string; lo: number | null; hi: number | null; count: number}[],
  {title = "", width = 560, xTitle = "µs", seriesTitle = "class"} = {}
): Promise<HTMLElement> {
  const plural = seriesTitle.endsWith("s") ? `${seriesTitle}es` : `${seriesTitle}s`;
  const data = aq
    .from(rows, ["series", "lo", "hi", "count"])
    .filter("d => d.lo !== null && d.lo > 0")
    .groupby("series")
    .derive({share: "d => d.count / op.sum(d.count)"})
    .ungroup()
    .derive({label: labelled, top: "d => d.hi ?? d.lo * 2"})
    .objects() as {series: string}[];
  const parts = data.filter((d) => d.series !== "all");
  const whole = data.filter((d) => d.series === "all");
  const x = vl.x().fieldQ("lo").scale({type: "log", base: 2}).title(xTitle);
  const x2 = vl.x2().field("top");
  const y = vl.y().fieldQ("count").scale({type: "symlog", domainMin: 0}).stack(null).title("count (symlog)");
  // Bars span their bucket on x and rise from zero: both ends given, since x has two.
  const y2 = vl.y2().datum(0);
  const tooltip = vl.tooltip([{field: "series", title: seriesTitle}, {field: "label", title: "bucket"}, {field: "count"}, {field: "share", format: ".1%", title: `share of the ${seriesTitle}`}]);
  const layers = [];
  if (parts.length) layers.push(vl.markBar({tooltip: true, opacity: 0.55}).data(parts).encode(x, x2, y, y2, vl.color().fieldN("series").scale(colourScale(parts.map((d) => d.series))).title(seriesTitle), tooltip));
  if (whole.length) layers.push(vl.markBar({tooltip: true, fillOpacity: 0, stroke: ALL_COLOUR, strokeWidth: 1.5}).data(whole).encode(x, x2, y, y2, tooltip));
  return vl
    .layer(...layers)
    .title(parts.length && whole.length ? `${title} (outline: all ${plural} together)` : title)
    .width(width)
    .autosize(FIT)
    .height(220)
    .render();
}

type HeatRow = {t_s: number; lo: number | null; hi: number | null; level: number};

/**
 * A latency heat map (intervalHeatmapSql's rows): one column per interval, one row per
 * bucket (slowest at the top), colour the events in that cell, tooltip with the count and
 * its share of the interval; dashed lines through the buckets holding each interval's p50 and p99.
 */
export function heatmapChart(
  {cells, quantiles}: {cells: (HeatRow & {count: number; share: number})[]; quantiles: (HeatRow & {quantile: string})[]},
  {title = "", width = 560, what = "I/Os", yTitle = "service-time bucket"} = {}
): Promise<HTMLElement> {
  // The colour legend is kept short so the p50/p99 legend below it fits the chart's height.
  const y = vl.y().fieldO("label").sort({field: "level", order: "descending"}).title(yTitle);
  const x = vl.x().fieldO("t_s").title("seconds from the first interval");
  return vl
    .layer(
      vl
        .markRect({tooltip: true})
        .data(aq.from(cells).derive({label: labelled}).objects())
        .encode(x, y, vl.color().fieldQ("count").scale({type: "log", scheme: "oranges"}).legend({gradientLength: 140}).title(what), vl.tooltip([{field: "t_s", title: "s"}, {field: "label", title: "bucket"}, {field: "count", title: what}, {field: "share", format: ".1%", title: "share of the interval"}])),
      vl
        .markLine({point: true})
        .data(aq.from(quantiles).derive({label: labelled}).objects())
        .encode(x, y, vl.strokeDash().fieldN("quantile").title("bucket holding"), vl.color().value("#333"), vl.detail().fieldN("quantile"))
    )
    .title(title)
    .width(width)
    .autosize(FIT)
    .height(220)
    .render();
}

/** A number per interval, one line per series: calls per second by thread, over the capture. */
export function timeSeriesChart(rows: {t_s: number; series: string; value: number}[], {title = "", width = 560, yTitle = "per interval"} = {}): Promise<HTMLElement> {
  return vl
    .markLine({point: true, tooltip: true})
    .data(rows)
    .encode(vl.x().fieldQ("t_s").title("seconds from the first interval"), vl.y().fieldQ("value").title(yTitle), vl.color().fieldN("series").scale(colourScale(rows.map((r) => r.series))).title("thread"))
    .title(title)
    .width(width)
    .autosize(FIT)
    .height(200)
    .render();
}

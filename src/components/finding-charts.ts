// The small chart on each finding's card, drawn from the chart the finding itself describes.
import {findingCard} from "./finding-card.js";
import {format as f, runFinding} from "./findings.generated.js";

type Row = Record<string, unknown>;
type Query = (sql: string) => Promise<Row[]>;
type Bin = {lo: number | null; hi: number | null; count: number};
type ChartSpec = {kind: "histogram"; title: string; xTitle: string; bins: Bin[]} | {kind: "bars"; title: string; xTitle: string; bars: {name: string; value: number}[]};
interface Finding {
  id: string;
  headline: string | null;
  chart: ChartSpec | null;
  sql: Record<string, string>;
}

/** Draws the chart a finding describes (loaders/findings/types.ts ChartSpec), whichever finding it is. */
export async function findingChart(finding: Finding): Promise<HTMLElement | undefined> {
  const spec = finding.chart;
  if (!spec) return undefined;
  // vega-lite is over a megabyte of script: loaded when the first chart is drawn, so the
  // cards (text from the build) show without waiting for it.
  const {barChart, histogramChart} = await import("./charts.js");
  switch (spec.kind) {
    case "histogram":
      return histogramChart(spec.bins.map((b) => ({...b, label: f.durationRange(b.lo, b.hi)})), {title: spec.title, xTitle: spec.xTitle});
    case "bars":
      return barChart(spec.bars, {title: spec.title, xTitle: spec.xTitle});
  }
}

type Computed = Finding & {title: string; severity: string; verdict: string; narrative: string};

const sameClaim = (a: Computed, b: Computed) => a.narrative === b.narrative && a.verdict === b.verdict && a.severity === b.severity;

/**
 * Every finding as a card, shown at once from the findings the build computed, then
 * recomputed here from the tables as DuckDB comes up: each card gains its chart and says
 * whether the browser's result is the build's (data-verified true/false). A difference
 * shows the browser's result. The container's data-complete is set when all are in.
 */
export function findingCards(built: Computed[], specs: unknown[], db: Promise<{query: Query}>): HTMLElement {
  const card = findingCard as (f: never, o: {number?: string; chart?: Node; provenance?: string}) => HTMLElement;
  const run = async (spec: unknown) => runFinding(spec as never, (await db).query as never) as Promise<Computed>;
  const container = document.createElement("div");
  container.className = "findings";
  const shown = new Map<string, HTMLElement>();
  for (const finding of built) {
    const element = card(finding as never, {number: finding.headline ?? undefined, provenance: "computed at build time; rechecking in your browser…"});
    element.dataset.verified = "pending";
    shown.set(finding.id, element);
    container.append(element);
  }
  void (async () => {
    await db;
    for (const spec of specs) {
      const finding = await run(spec);
      const before = built.find((f) => f.id === finding.id);
      const same = before !== undefined && sameClaim(before, finding);
      const element = card(finding as never, {
        number: finding.headline ?? undefined,
        chart: await findingChart(finding),
        provenance: same ? "recomputed in your browser: same as the build" : "recomputed in your browser: differs from the build, which is out of date"
      });
      element.dataset.verified = String(same);
      const old = shown.get(finding.id);
      if (old) old.replaceWith(element);
      else container.append(element);
      shown.set(finding.id, element);
    }
    container.dataset.complete = "true";
  })();
  return container;
}

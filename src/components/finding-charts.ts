// The small chart on each finding's card, drawn from the finding's own queries or metrics.
import {format as f} from "./findings.generated.js";

type Row = Record<string, unknown>;
interface Finding {
  id: string;
  metrics: Record<string, unknown>;
  sql: Record<string, string>;
}
type Query = (sql: string) => Promise<Row[]>;


export async function findingChart(finding: Finding, query: Query): Promise<HTMLElement | undefined> {
  // vega-lite is over a megabyte of script: loaded when the first chart is drawn, so the
  // cards (text from the build) show without waiting for it.
  const {barChart, histogramChart} = await import("./charts.js");
  const m = finding.metrics;
  switch (finding.id) {
    case "durability.fsync": {
      const latency = await query(finding.sql.latency);
      if (latency.length) {
        return histogramChart(
          latency.map((b) => ({lo: b.lo as number, hi: b.hi as number, count: b.count as number, label: f.durationRange(b.lo as number, b.hi as number)})),
          {title: "fsync/fdatasync latency, all threads", xTitle: "latency (bpftrace buckets; 1 ms = 1024 µs)"}
        );
      }
      const targets = (m.target_threads as string[]) ?? [];
      const callers = ((m.callers as {thread: string | null; calls: number; target: boolean}[] | null) ?? []).map((c) => ({name: c.thread ?? "(not recorded)", value: c.calls, target: c.target}));
      const bars = [
        ...targets.filter((t) => !callers.some((c) => c.name === t)).map((t) => ({name: `${t} (target)`, value: 0})),
        ...callers.map((c) => ({name: c.target ? `${c.name} (target)` : c.name, value: c.value}))
      ];
      return barChart(bars, {title: "fsync/fdatasync calls per thread", xTitle: "calls"});
    }
    case "disk.latency": {
      const rows = (await query(finding.sql.buckets)).filter((r) => r.class === "all" && r.file === m.evidence_file);
      if (!rows.length) return undefined;
      return histogramChart(
        rows.map((b) => ({lo: b.lo as number, hi: b.hi as number, count: b.count as number, label: f.durationRange(b.lo as number, b.hi as number)})),
        {title: "block I/O service time, all I/Os", xTitle: "service time (bpftrace buckets; 1 ms = 1024 µs)"}
      );
    }
    case "logging.writes": {
      const writers = ((m.top_writers as {thread: string; writes: number}[] | null) ?? []).map((w) => ({name: w.thread, value: w.writes}));
      return writers.length ? barChart(writers, {title: "write() calls by thread name", xTitle: "calls"}) : undefined;
    }
    case "offcpu.breakdown": {
      const bars = ["futex", "network", "disk", "sleep", "poll", "other"].map((k) => ({name: k, value: Number(m[`${k}_us`] ?? 0) / 1e6}));
      return bars.some((b) => b.value > 0) ? barChart(bars, {title: "off-CPU time by class", xTitle: "seconds (summed over threads)"}) : undefined;
    }
    case "cpu.hotspots": {
      const bars = ["hash", "log_format", "allocator", "storage"].map((k) => ({name: k, value: Number(m[`${k}_share`] ?? 0) * 100}));
      return Number(m.samples) > 0 ? barChart(bars, {title: "share of on-CPU samples by category", xTitle: "% of samples"}) : undefined;
    }
    default:
      return undefined;
  }
}

/** The headline number of each finding. */
export function findingNumber(finding: Finding): string | undefined {
  const m = finding.metrics;
  switch (finding.id) {
    case "durability.fsync":
      return m.target_fsync_calls === null ? undefined : `${f.count(Number(m.target_fsync_calls))} fsync calls by ${m.target}`;
    case "disk.latency":
      return m.p999_lo_us == null ? undefined : `p99.9 in ${f.durationRange(m.p999_lo_us as number, m.p999_hi_us as number)}`;
    case "logging.writes":
      return m.target_writes_per_s == null ? `${f.count(Number(m.target_writes))} write() calls` : `${f.count(Number(m.target_writes_per_s))} write()/s`;
    case "offcpu.breakdown":
      return `futex ${f.duration(Number(m.futex_us))}, network ${f.duration(Number(m.network_us))}, disk ${f.duration(Number(m.disk_us))}`;
    case "cpu.hotspots":
      return Number(m.samples) ? `${f.percent(Number(m.hash_share))} hashing of ${f.count(Number(m.samples))} samples` : undefined;
    case "data.quality":
      return `${f.count(Number(m.problem_lines))} problem lines of ${f.count(Number(m.lines))}`;
    default:
      return undefined;
  }
}

type Computed = Finding & {title: string; severity: string; verdict: string; narrative: string};
type Card = (f: never, o: {number?: string; chart?: Node; provenance?: string}) => HTMLElement;

const sameClaim = (a: Computed, b: Computed) => a.narrative === b.narrative && a.verdict === b.verdict && a.severity === b.severity;

/**
 * Every finding as a card, shown at once from the findings the build computed, then
 * recomputed here from the tables as DuckDB comes up: each card gains its chart and says
 * whether the browser's result is the build's (data-verified true/false). A difference
 * shows the browser's result. The container's data-complete is set when all are in.
 */
export function findingCards(built: Computed[], specs: unknown[], run: (spec: unknown) => Promise<Computed>, db: Promise<{query: Query}>, card: Card): HTMLElement {
  const container = document.createElement("div");
  container.className = "findings";
  const shown = new Map<string, HTMLElement>();
  for (const finding of built) {
    const element = card(finding as never, {number: findingNumber(finding), provenance: "computed at build time; rechecking in your browser…"});
    element.dataset.verified = "pending";
    shown.set(finding.id, element);
    container.append(element);
  }
  void (async () => {
    const {query} = await db;
    for (const spec of specs) {
      const finding = await run(spec);
      const before = built.find((f) => f.id === finding.id);
      const same = before !== undefined && sameClaim(before, finding);
      const element = card(finding as never, {
        number: findingNumber(finding),
        chart: await findingChart(finding, query),
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

// The explore page's parts: example questions, the query kept in the URL, and a chart
// chosen from the result's shape. Result values come from captures: Inputs.table and
// vega-lite draw them as text.
import vl from "observablehq:stdlib/vega-lite";

/** Questions to start from, each answerable on any bundle (empty results where it measured nothing). */
export const EXAMPLES: {title: string; sql: string}[] = [
  {title: "what each file measured", sql: "SELECT file, tool, kind, status, window_s, lines, problem_lines\nFROM captures ORDER BY file"},
  {title: "tables and views", sql: "SELECT table_name, table_type\nFROM information_schema.tables ORDER BY table_type, table_name"},
  {title: "fsync calls by thread", sql: "SELECT thread, sum(calls) AS calls\nFROM fsync_calls GROUP BY thread ORDER BY calls DESC"},
  {title: "block-I/O service time buckets", sql: "SELECT lo_us, hi_us, sum(count) AS ios\nFROM block_io_latency WHERE NOT exact\nGROUP BY ALL ORDER BY lo_us NULLS FIRST"},
  {title: "system calls per second", sql: "SELECT t_s, sum(calls) AS calls\nFROM syscall_counts WHERE t_s IS NOT NULL\nGROUP BY t_s ORDER BY t_s"},
  // Stacks are lists of frame ids; `frames` names each distinct frame once.
  {title: "hottest on-CPU leaf frames", sql: "SELECT f.name AS leaf, sum(s.samples) AS samples\nFROM oncpu_stacks s JOIN frames f ON f.frame_id = s.frame_ids[-1]\nGROUP BY leaf ORDER BY samples DESC LIMIT 20"},
  // An off-CPU stack's leaf is the scheduler's; the frames under it say what it waited on.
  {title: "longest off-CPU stacks, their last six frames", sql: "SELECT s.thread, s.us, string_agg(f.name, ' ← ' ORDER BY k DESC) AS last_frames\nFROM (SELECT row_number() OVER (ORDER BY us DESC) AS rank, thread, us, frame_ids\n      FROM offcpu_stacks ORDER BY us DESC LIMIT 20) s,\n  range(greatest(len(s.frame_ids) - 5, 1), len(s.frame_ids) + 1) AS r(k)\nJOIN frames f ON f.frame_id = s.frame_ids[k]\nGROUP BY s.rank, s.thread, s.us ORDER BY s.rank"},
  {
    title: "off-CPU time in stacks with a futex frame",
    sql: "SELECT thread, sum(us) AS us\nFROM offcpu_stacks\nWHERE list_has_any(frame_ids, (SELECT list(frame_id) FROM frames WHERE name LIKE '%futex%'))\nGROUP BY thread ORDER BY us DESC"
  }
];

/** The page's query: `?sql=` when given, else the first example. */
export function queryOf(search: string): string {
  return new URLSearchParams(search).get("sql") ?? EXAMPLES[0].sql;
}

/** The link that reproduces a query on this page. */
export const linkTo = (sql: string): string => `?${new URLSearchParams({sql})}`;

type Row = Record<string, unknown>;
export type ChartPlan = {mark: "bar"; category: string; value: string} | {mark: "line"; x: string; y: string} | null;

const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);

/**
 * A chart for a result, from its shape: a text column and a number → bars (the first 50
 * rows); two or more numbers → a line of the second over the first; else no chart.
 */
export function chartPlan(rows: Row[]): ChartPlan {
  if (rows.length < 2) return null;
  const columns = Object.keys(rows[0]);
  const numeric = columns.filter((c) => rows.every((r) => r[c] === null || isNumber(r[c])) && rows.some((r) => isNumber(r[c])));
  const text = columns.filter((c) => !numeric.includes(c) && rows.every((r) => r[c] === null || typeof r[c] === "string"));
  if (text.length && numeric.length) return {mark: "bar", category: text[0], value: numeric[0]};
  if (numeric.length >= 2) return {mark: "line", x: numeric[0], y: numeric[1]};
  return null;
}

/** Axes and legend inside the width given, as charts.ts FIT (not imported: it would load arquero here). */
const FIT = {type: "fit-x", contains: "padding"} as const;

/** The chart planned for `rows`, or null. */
export async function autoChart(rows: Row[], {width = 640} = {}): Promise<HTMLElement | null> {
  const plan = chartPlan(rows);
  if (!plan) return null;
  if (plan.mark === "bar") {
    const shown = rows.slice(0, 50);
    return vl
      .markBar({tooltip: true})
      .data(shown)
      .encode(vl.y().fieldN(plan.category).sort("-x").title(plan.category), vl.x().fieldQ(plan.value).title(plan.value))
      .title(rows.length > shown.length ? `first ${shown.length} of ${rows.length} rows` : "")
      .width(width)
      .autosize(FIT)
      .height(Math.max(40, 18 * shown.length))
      .render();
  }
  return vl
    .markLine({point: true, tooltip: true})
    .data(rows)
    .encode(vl.x().fieldQ(plan.x).title(plan.x), vl.y().fieldQ(plan.y).title(plan.y))
    .width(width)
    .autosize(FIT)
    .height(240)
    .render();
}

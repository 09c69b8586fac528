// A finding is SQL over the evidence views plus pure functions from the rows to a verdict,
// a headline number and a chart. `query` is the only thing it needs, so the same code runs
// on DuckDB in Node (findings.json, the CLI) and on duckdb-wasm in the browser, and pages
// render any finding the same way: no page knows a finding by its id.

export type Value = string | number | boolean | null | Value[] | {[key: string]: Value};
export type QueryRow = Record<string, Value>;
export type Query = (sql: string) => Promise<QueryRow[]>;
export type Metrics = Record<string, Value>;

export type Severity = "info" | "warning" | "critical";

/** A bucket of a latency histogram, bounds in µs (null: open). */
export type Bin = {lo: number | null; hi: number | null; count: number};

/** What a finding's card draws, as data: the page picks the chart by `kind`. */
export type ChartSpec =
  | {kind: "histogram"; title: string; xTitle: string; bins: Bin[]}
  | {kind: "bars"; title: string; xTitle: string; bars: {name: string; value: number}[]};

export interface Evaluation<M extends Metrics = Metrics> {
  severity: Severity;
  /** A short verdict label, e.g. "target never fsyncs". */
  verdict: string;
  metrics: M;
  /** Plain text generated from the metrics; pages render it as text, never as markup. */
  narrative: string;
  /**
   * False when the finding could not answer its question (no evidence, failed evidence, too
   * few samples or intervals): its verdict is then no basis for a comparison (bpfbook gate).
   * Omitted means true.
   */
  conclusive?: boolean;
}

export interface Finding extends Evaluation {
  conclusive: boolean;
  id: string;
  title: string;
  /** The number behind the claim, for the card's headline; null when there is none. */
  headline: string | null;
  chart: ChartSpec | null;
  /** The SQL that computed it, by name, for the page to show. */
  sql: Record<string, string>;
}

/** What `bpfbook gate --baseline` compares for a finding, beyond its severity. */
export interface GateWatch {
  /** Percentiles kept as `<prefix><name>_lo_us`/`_hi_us` metrics (name e.g. `p99`), and the metric counting the events they rest on. */
  percentiles?: {prefix: string; names: string[]; count: string};
  /** Shares kept with a 95% interval as `<name>_ci95`. */
  shares?: string[];
}

export interface FindingSpec<Q extends string = string, M extends Metrics = Metrics> {
  id: string;
  title: string;
  queries: Record<Q, string>;
  evaluate(rows: Record<Q, QueryRow[]>): Evaluation<M>;
  headline(metrics: M): string | null;
  chart(rows: Record<Q, QueryRow[]>, metrics: M): ChartSpec | null;
  gate?: GateWatch;
}

/** Declares a finding; its metrics' type is inferred from `evaluate`, and `headline` and `chart` read them typed. */
export const defineFinding = <Q extends string, M extends Metrics>(spec: FindingSpec<Q, M>): FindingSpec<Q, M> => spec;

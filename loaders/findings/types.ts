// A finding is SQL over the bundle's tables plus a pure function from the rows to a
// verdict. `query` is the only thing it needs, so the same code runs on DuckDB in Node
// (findings.json, the CLI) and on duckdb-wasm in the browser.

export type Value = string | number | boolean | null | Value[] | {[key: string]: Value};
export type QueryRow = Record<string, Value>;
export type Query = (sql: string) => Promise<QueryRow[]>;

export type Severity = "info" | "warning" | "critical";

export interface Finding {
  id: string;
  title: string;
  severity: Severity;
  /** A short verdict label, e.g. "target never fsyncs". */
  verdict: string;
  metrics: Record<string, Value>;
  /** Plain text generated from the metrics; pages render it as text, never as markup. */
  narrative: string;
  /** The SQL that computed it, by name, for the page to show. */
  sql: Record<string, string>;
}

export interface FindingSpec<Q extends string = string> {
  id: string;
  title: string;
  queries: Record<Q, string>;
  evaluate(rows: Record<Q, QueryRow[]>): Omit<Finding, "id" | "title" | "sql">;
}

// DuckDB threads for this process: BPFBOOK_DUCKDB_THREADS when set, else DuckDB's own
// default (one per core). The build's worker processes each get their share of the cores
// (scripts/precompute.ts): two workers each running DuckDB on every core spent more time
// contending than converting.

/** Options for DuckDBInstance.create. */
export function threadsOption(): {threads?: string} {
  const n = Number(process.env.BPFBOOK_DUCKDB_THREADS);
  return Number.isInteger(n) && n > 0 ? {threads: String(n)} : {};
}

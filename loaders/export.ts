// Tables laid out for querying where they live: hive-partitioned Parquet,
//   <to>/table=<table>/host=<host>/capture=<capture>/part.parquet
// so DuckDB over object storage, Trino or Spark read a fleet's captures as one table per
// kind, pruning by host and capture from the path. Each part is written beside its final
// name and renamed into place: a failed export never leaves a partial part.
// The evidence views (docs/views.md) are exported beside the tables, materialized per
// capture (table=fsync_calls/…, table=block_io_latency/…), so fleet questions in any
// engine read what was measured, never which tool measured it.

import type {Progress} from "./progress.js";
import {DuckDBInstance} from "@duckdb/node-api";
import {mkdirSync, renameSync, rmSync} from "node:fs";
import {join} from "node:path";
import {readBundle} from "./bundle.js";
import {tablesFor} from "./cache.js";
import {tableNames} from "./model.js";
import {createViewStatements, viewDefinitions} from "./evidence/views.js";
import {sqlString} from "./sql.js";

export interface ExportedPart {
  table: string;
  host: string;
  capture: string;
  path: string;
  rows: number;
}


/**
 * A partition value safe as one path segment: hive's own escaping (%XX) for anything
 * but letters, digits and . _ -, so a host named `../x` or `a/b` stays one folder.
 */
export function partitionValue(value: string | null): string {
  if (!value) return "unknown";
  const escaped = Array.from(new TextEncoder().encode(value), (b) =>
    /[A-Za-z0-9_-]/.test(String.fromCharCode(b)) || (b === 0x2e && value !== "." && value !== "..") ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`
  ).join("");
  return escaped.slice(0, 200);
}

export async function exportBundles(bundleDirs: string[], to: string, progress?: Progress): Promise<ExportedPart[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const parts: ExportedPart[] = [];
  progress?.start("exporting", bundleDirs.length);
  try {
    for (const [done, dir] of bundleDirs.entries()) {
      progress?.update(done);
      const bundle = readBundle(dir);
      const tables = await tablesFor(bundle.dir);
      const source = (table: string) => `read_parquet(${sqlString(join(tables, `${table}.parquet`))})`;
      const hostRows = await connection.runAndReadAll(`SELECT any_value(host) AS host FROM ${source("captures")}`);
      const host = partitionValue((hostRows.getRowObjectsJS()[0]?.host as string | null) ?? null);
      // This capture's tables under their names, then the evidence views over them.
      for (const table of tableNames) await connection.run(`CREATE OR REPLACE VIEW "${table}" AS SELECT * FROM ${source(table)}`);
      for (const statement of createViewStatements()) await connection.run(statement);
      for (const table of [...tableNames, ...viewDefinitions().map((v) => v.schema.name)]) {
        const folder = join(to, `table=${table}`, `host=${host}`, `capture=${partitionValue(bundle.id)}`);
        mkdirSync(folder, {recursive: true});
        const path = join(folder, "part.parquet");
        const temp = `${path}.tmp-${process.pid}`;
        try {
          await connection.run(`COPY (SELECT * FROM "${table}") TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`);
          renameSync(temp, path);
        } catch (error) {
          rmSync(temp, {force: true});
          throw error;
        }
        const counted = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(path)})`);
        parts.push({table, host, capture: bundle.id, path, rows: Number(counted.getRowObjectsJS()[0].n)});
      }
    }
    progress?.update(bundleDirs.length);
  } finally {
    progress?.stop();
    connection.closeSync();
    instance.closeSync();
  }
  return parts;
}

/**
 * Fleet questions over an exported tree (`<tree>` a local folder or an s3:// URL), in DuckDB
 * SQL; docs/scale.md shows them (generated from here) with their Trino and Spark forms.
 * Both read the exported evidence views, so any tool's captures answer them.
 */
export const FLEET_QUERIES: Record<"neverFsync" | "p99ByHost", (tree: string) => string> = {
  // Hosts whose target threads made no fsync/fdatasync call, among captures with a complete,
  // working fsync capture (elsewhere an absence proves nothing).
  neverFsync: (tree) => `WITH measured AS (
  SELECT DISTINCT host, capture
  FROM read_parquet('${tree}/table=evidence/*/*/*.parquet', hive_partitioning = true)
  WHERE list_contains(feeds, 'fsync_calls') AND complete AND status = 'ok'
), target AS (
  SELECT DISTINCT host, capture, unnest(target_threads) AS thread
  FROM read_parquet('${tree}/table=captures/*/*/*.parquet', hive_partitioning = true)
), calls AS (
  SELECT host, capture, thread, sum(calls) AS calls
  FROM read_parquet('${tree}/table=fsync_calls/*/*/*.parquet', hive_partitioning = true)
  GROUP BY ALL
)
SELECT t.host, t.capture
FROM target t JOIN measured USING (host, capture) LEFT JOIN calls c USING (host, capture, thread)
GROUP BY ALL HAVING coalesce(sum(c.calls), 0) = 0
ORDER BY t.host, t.capture`,
  // Per host and capture, the log2 bucket holding the p99 of block-I/O service time (all
  // I/Os: the rows not split by class, or the classes summed where there are none).
  p99ByHost: (tree) => `WITH rows AS (
  SELECT host, capture, class, lo_us, hi_us, count
  FROM read_parquet('${tree}/table=block_io_latency/*/*/*.parquet', hive_partitioning = true)
), whole AS (
  SELECT host, capture, lo_us, hi_us, sum(count) AS n
  FROM rows r
  WHERE class IS NULL OR NOT EXISTS (SELECT 1 FROM rows a WHERE a.host = r.host AND a.capture = r.capture AND a.class IS NULL)
  GROUP BY ALL
), ranked AS (
  SELECT *, sum(n) OVER (PARTITION BY host, capture ORDER BY lo_us NULLS FIRST) / sum(n) OVER (PARTITION BY host, capture) AS cumulative
  FROM whole
)
SELECT host, capture, min(lo_us) AS p99_lo_us, min(hi_us) AS p99_hi_us
FROM ranked WHERE cumulative >= 0.99
GROUP BY ALL ORDER BY p99_hi_us DESC NULLS FIRST, host, capture`
};

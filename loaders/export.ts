// Tables laid out for querying where they live: hive-partitioned Parquet,
//   <to>/table=<table>/host=<host>/capture=<capture>/part.parquet
// so DuckDB over object storage, Trino or Spark read a fleet's captures as one table per
// kind, pruning by host and capture from the path. Each part is written beside its final
// name and renamed into place: a failed export never leaves a partial part.

import type {Progress} from "./progress.js";
import {DuckDBInstance} from "@duckdb/node-api";
import {mkdirSync, renameSync, rmSync} from "node:fs";
import {join} from "node:path";
import {readBundle} from "./bundle.js";
import {tablesFor} from "./cache.js";
import {tableNames} from "./model.js";
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
      for (const table of tableNames) {
        const folder = join(to, `table=${table}`, `host=${host}`, `capture=${partitionValue(bundle.id)}`);
        mkdirSync(folder, {recursive: true});
        const path = join(folder, "part.parquet");
        const temp = `${path}.tmp-${process.pid}`;
        try {
          await connection.run(`COPY (SELECT * FROM ${source(table)}) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`);
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

// Findings in Node: open a bundle's Parquet tables in DuckDB and answer `query(sql)`.

import {DuckDBInstance} from "@duckdb/node-api";
import {join} from "node:path";
import {tableNames} from "../model.js";
import {runFindings} from "./index.js";
import type {Finding, Query, QueryRow, Value} from "./types.js";

export async function openTables(dir: string): Promise<{query: Query; close(): void}> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  for (const name of tableNames) {
    const path = join(dir, `${name}.parquet`).replaceAll("'", "''");
    await connection.run(`CREATE VIEW "${name}" AS SELECT * FROM read_parquet('${path}')`);
  }
  const query: Query = async (sql) => {
    const result = await connection.runAndReadAll(sql);
    return result.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])) as QueryRow);
  };
  return {
    query,
    close() {
      connection.closeSync();
      instance.closeSync();
    }
  };
}

/** DuckDB's JS values → JSON-like values (bigint → number, lists → arrays). */
function plain(v: unknown): Value {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v === undefined) return null;
  if (v !== null && typeof v === "object" && "items" in v) return (v as {items: unknown[]}).items.map(plain);
  return v as Value;
}

export async function findingsForTables(dir: string): Promise<Finding[]> {
  const db = await openTables(dir);
  try {
    return await runFindings(db.query);
  } finally {
    db.close();
  }
}

// Findings in Node: open a bundle's Parquet tables in DuckDB and answer `query(sql)`.

import {DuckDBInstance} from "@duckdb/node-api";
import {existsSync, readFileSync, renameSync, writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";
import {sourcesHash} from "../hash.js";
import {createViewStatements} from "../evidence/views.js";
import {tableNames} from "../model.js";
import {threadsOption} from "../duckdb-threads.js";
import {sqlIdentifier, sqlString} from "../sql.js";
import {FRAME_NAMES} from "./frames.js";
import {runFindings} from "./index.js";
import {loadFindings, userFindingFiles, userFindingsDir} from "./user.js";
import type {Finding, Query, QueryRow, Value} from "./types.js";

/**
 * A bundle's tables and evidence views in an in-memory DuckDB, each computed once: a
 * bundle's findings and page data run dozens of queries over the same few views, and
 * as views each query re-read the Parquet files and recomputed the evidence (twice the
 * time, most of a bundle's cost in a build). The pages keep them as views (the browser
 * registers only the tables a page reads).
 */
export async function openTables(dir: string): Promise<{query: Query; close(): void}> {
  const instance = await DuckDBInstance.create(":memory:", threadsOption());
  const connection = await instance.connect();
  for (const name of tableNames) {
    const path = join(dir, `${name}.parquet`);
    await connection.run(`CREATE TABLE ${sqlIdentifier(name)} AS SELECT * FROM read_parquet(${sqlString(path)})`);
  }
  for (const statement of createViewStatements(undefined, {as: "table"})) await connection.run(statement);
  const run: Query = async (sql) => {
    const result = await connection.runAndReadAll(sql);
    return result.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])) as QueryRow);
  };
  // The frame dictionary is asked for by every finding and output that names stacks (about
  // seven per build), and its rows cost the most to convert: read once per opened bundle
  // (the tables do not change while open). Callers only read the rows.
  let frameNames: Promise<QueryRow[]> | undefined;
  const query: Query = (sql) => (sql === FRAME_NAMES ? (frameNames ??= run(sql)) : run(sql));
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

/**
 * JSON computed from a tables folder once and kept beside the tables, keyed by the code
 * that computes it (findings, views, the analyst's findings, loaders/site.ts): a build asks
 * for a bundle's findings and summaries several times (the pre-build, the home and compare
 * pages, findings.json), so they are computed once and read after.
 */
export async function cachedJson<T>(dir: string, name: string, compute: () => Promise<T>): Promise<T> {
  const path = join(dir, `${name}-${findingsCodeHash()}.json`);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as T;
  const value = await compute();
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(value));
  renameSync(temp, path);
  // As read back next time, so every caller sees the same values (JSON has no NaN).
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** The findings of a tables folder (built-in and the analyst's); `db`: that folder already open. */
export function findingsForTables(dir: string, db?: {query: Query}): Promise<Finding[]> {
  return cachedJson(dir, "findings", async () => {
    if (db) return runFindings(db.query, await loadFindings());
    const own = await openTables(dir);
    try {
      return await runFindings(own.query, await loadFindings());
    } finally {
      own.close();
    }
  });
}

let builtinHash: string | undefined;

/** The findings code's version: a hash of this folder's sources, the evidence views they read, the site's summaries and the analyst's findings. */
const findingsCodeHash = () => {
  const here = dirname(fileURLToPath(import.meta.url));
  builtinHash ??= sourcesHash([here, join(here, "..", "evidence"), join(here, "..", "site.ts")]);
  // The analyst's folder is read each time: it can change while a process lives (tests, dev).
  const user = userFindingFiles(userFindingsDir());
  return user.length ? `${builtinHash}-${sourcesHash(user)}` : builtinHash;
};

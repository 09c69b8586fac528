// Findings in Node: open a bundle's Parquet tables in DuckDB and answer `query(sql)`.

import {DuckDBInstance} from "@duckdb/node-api";
import {existsSync, readFileSync, renameSync, writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";
import {sourcesHash} from "../hash.js";
import {createViewStatements} from "../evidence/views.js";
import {tableNames} from "../model.js";
import {runFindings} from "./index.js";
import {loadFindings, userFindingFiles, userFindingsDir} from "./user.js";
import type {Finding, Query, QueryRow, Value} from "./types.js";

export async function openTables(dir: string): Promise<{query: Query; close(): void}> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  for (const name of tableNames) {
    const path = join(dir, `${name}.parquet`).replaceAll("'", "''");
    await connection.run(`CREATE VIEW "${name}" AS SELECT * FROM read_parquet('${path}')`);
  }
  for (const statement of createViewStatements()) await connection.run(statement);
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

/**
 * The findings of a tables folder. They are kept beside the tables, keyed by the findings
 * code, because a build asks for them several times per bundle (the pre-build check, the
 * home and compare pages, each bundle's findings.json): computed once, read after.
 */
export async function findingsForTables(dir: string): Promise<Finding[]> {
  const path = join(dir, `findings-${findingsCodeHash()}.json`);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as Finding[];
  const db = await openTables(dir);
  let findings: Finding[];
  try {
    findings = await runFindings(db.query, await loadFindings());
  } finally {
    db.close();
  }
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(findings));
  renameSync(temp, path);
  // As read back next time, so every caller sees the same values (JSON has no NaN).
  return JSON.parse(readFileSync(path, "utf8")) as Finding[];
}

let builtinHash: string | undefined;

/** The findings code's version: a hash of this folder's sources, of the evidence views they read and of the analyst's findings. */
const findingsCodeHash = () => {
  const here = dirname(fileURLToPath(import.meta.url));
  builtinHash ??= sourcesHash([here, join(here, "..", "evidence")]);
  // The analyst's folder is read each time: it can change while a process lives (tests, dev).
  const user = userFindingFiles(userFindingsDir());
  return user.length ? `${builtinHash}-${sourcesHash(user)}` : builtinHash;
};

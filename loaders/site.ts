// What the site's Framework data loaders call: one table of one bundle, as Parquet on
// stdout. Errors go to stderr naming the bundle, file and line, and fail the loader.

import {readFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {capturesDir, isBundleId, listBundles} from "./bundle.js";
import {tablesFor} from "./cache.js";
import {openTables} from "./findings/node.js";
import type {TableName} from "./model.js";

export async function emitTable(table: TableName, argv = process.argv.slice(2)): Promise<void> {
  const {values} = parseArgs({args: argv, options: {bundle: {type: "string"}}, strict: false});
  const bundle = String(values.bundle ?? "");
  try {
    if (!isBundleId(bundle)) throw new Error(`invalid bundle id '${bundle}'`);
    const dir = await tablesFor(join(capturesDir(), bundle));
    process.stdout.write(readFileSync(join(dir, `${table}.parquet`)));
  } catch (error) {
    process.stderr.write(`bpfbook: bundle ${bundle}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

export interface BundleSummary {
  id: string;
  target: string | null;
  host: string | null;
  files: number;
  problems: number;
}

/** One line per bundle under the captures folder, for the home page. */
export async function bundleSummaries(dir = capturesDir()): Promise<BundleSummary[]> {
  const out: BundleSummary[] = [];
  for (const id of listBundles(dir)) {
    const db = await openTables(await tablesFor(join(dir, id)));
    try {
      const [row] = await db.query(
        `SELECT any_value(target) AS target, any_value(host) AS host, count(*)::INTEGER AS files, sum(problem_lines)::INTEGER AS problems FROM captures`
      );
      out.push({id, target: row.target as string | null, host: row.host as string | null, files: Number(row.files), problems: Number(row.problems)});
    } finally {
      db.close();
    }
  }
  return out;
}

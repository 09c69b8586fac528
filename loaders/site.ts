// What the site's Framework data loaders call: one table of one bundle, as Parquet on
// stdout. Errors go to stderr naming the bundle, file and line, and fail the loader.

import {readFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {capturesDir, isBundleId} from "./bundle.js";
import {tablesFor} from "./cache.js";
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

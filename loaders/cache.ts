// Converted tables cached by the content of the bundle: the key hashes every file's
// name and bytes plus the converter's own version, so an unchanged bundle is never
// converted twice (across loaders, builds and dev reloads) and a changed one always is.

import {createHash} from "node:crypto";
import {existsSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {hashFile, sourcesHash} from "./hash.js";
import {readBundle} from "./bundle.js";
import {convertToParquet} from "./convert.js";

const here = dirname(fileURLToPath(import.meta.url));
let version: string | undefined;

/** The converter's version: a hash of the code that decides the tables (parsers, recognizers, model, writer). */
export const converterVersion = () =>
  (version ??= sourcesHash(["parse", "evidence", "bundle.ts", "convert.ts", "lines.ts", "model.ts", "parquet.ts"].map((p) => join(here, p))));

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.BPFBOOK_CACHE || join("node_modules", ".cache", "bpfbook"));
}

export function bundleHash(bundleDir: string): string {
  const hash = createHash("sha256").update(converterVersion());
  const bundle = readBundle(bundleDir);
  for (const file of ["manifest.json", ...bundle.files.map((f) => f.file)]) {
    const path = join(bundleDir, file);
    if (!existsSync(path)) continue;
    hash.update(file).update("\0");
    hashFile(hash, path);
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

const pending = new Map<string, Promise<string>>();

/** The folder holding the bundle's Parquet tables, converting it first if needed. */
export async function tablesFor(bundleDir: string): Promise<string> {
  const id = readBundle(bundleDir).id;
  const dir = join(cacheRoot(), `${id}-${bundleHash(bundleDir)}`);
  if (existsSync(join(dir, "captures.parquet"))) return dir;
  let job = pending.get(dir);
  if (!job) {
    job = convertToParquet(bundleDir, dir).then(() => dir);
    pending.set(dir, job);
    job.finally(() => pending.delete(dir)).catch(() => {});
  }
  return job;
}

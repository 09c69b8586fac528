// Converted tables cached by the content of the bundle: the key hashes every file's
// name and bytes plus the converter's own version, so an unchanged bundle is never
// converted twice (across loaders, builds and dev reloads) and a changed one always is.

import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readFileSync, readdirSync, statSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {hashFile, sourcesHash} from "./hash.js";
import {readBundle} from "./bundle.js";
import {convertToParquet} from "./convert.js";
import {writeFileAtomic} from "./write.js";

const here = dirname(fileURLToPath(import.meta.url));
let version: string | undefined;

/** The converter's version: a hash of the code that decides the tables (parsers, recognizers, model, writer). */
export const converterVersion = () =>
  (version ??= sourcesHash(["parse", "evidence", "bundle.ts", "convert.ts", "lines.ts", "model.ts", "parquet.ts"].map((p) => join(here, p))));

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.BPFBOOK_CACHE || join("node_modules", ".cache", "bpfbook"));
}

/**
 * Hashes already made, by folder, with the file stats they were made from: in this process,
 * and across processes in the cache folder (a fleet's rebuild would otherwise read every
 * capture again just to learn that nothing changed).
 */
const hashed = new Map<string, {stamp: string; hash: string}>();
const HASHES = "bundle-hashes.json";
let stored: {[key: string]: {stamp: string; hash: string}} | undefined;

function storedHashes(): {[key: string]: {stamp: string; hash: string}} {
  try {
    return JSON.parse(readFileSync(join(cacheRoot(), HASHES), "utf8"));
  } catch {
    return {};
  }
}

/** Adds one; a write lost to another process's is a hash made again later, never a wrong one. */
function storeHash(key: string, entry: {stamp: string; hash: string}): void {
  const all = {...storedHashes(), [key]: entry};
  const path = join(cacheRoot(), HASHES);
  try {
    mkdirSync(cacheRoot(), {recursive: true});
    writeFileAtomic(path, JSON.stringify(all));
  } catch {
    // an unwritable cache only costs the hashing
  }
}

/**
 * The folder's files' names, sizes, modification and change times and inodes, hashed: when
 * these are the same, so are the bytes (no tool can set a change time back).
 */
function statStamp(dir: string): string {
  const stamp = createHash("sha256");
  for (const name of readdirSync(dir).sort()) {
    const s = statSync(join(dir, name));
    stamp.update(`${name}\0${s.size}\0${s.mtimeMs}\0${s.ctimeMs}\0${s.ino}\n`);
  }
  return stamp.digest("hex").slice(0, 32);
}

/** The conversions in a cache folder, sorted: one folder per bundle id and content hash. */
export function conversionsIn(root = cacheRoot()): string[] {
  return readdirSync(root, {withFileTypes: true})
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export function bundleHash(bundleDir: string): string {
  const key = `${converterVersion()} ${resolve(bundleDir)}`;
  const stamp = statStamp(bundleDir);
  const known = hashed.get(key) ?? (stored ??= storedHashes())[key];
  if (known?.stamp === stamp) {
    hashed.set(key, known);
    return known.hash;
  }
  const entry = {stamp, hash: hashBundle(bundleDir)};
  hashed.set(key, entry);
  storeHash(key, entry);
  return entry.hash;
}

function hashBundle(bundleDir: string): string {
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

/** Where the bundle's Parquet tables are (or will be) in the conversion cache. */
const tablesDir = (bundleDir: string) => join(cacheRoot(), `${readBundle(bundleDir).id}-${bundleHash(bundleDir)}`);

/** Whether the bundle's tables are in the conversion cache (tablesFor converts nothing); false for a bundle that cannot be read (converting it says why). */
export function isConverted(bundleDir: string): boolean {
  try {
    return existsSync(join(tablesDir(bundleDir), "captures.parquet"));
  } catch {
    return false;
  }
}

/** The folder holding the bundle's Parquet tables, converting it first if needed. */
export async function tablesFor(bundleDir: string): Promise<string> {
  const dir = tablesDir(bundleDir);
  if (existsSync(join(dir, "captures.parquet"))) return dir;
  let job = pending.get(dir);
  if (!job) {
    job = convertToParquet(bundleDir, dir).then(() => dir);
    pending.set(dir, job);
    job.finally(() => pending.delete(dir)).catch(() => {});
  }
  return job;
}

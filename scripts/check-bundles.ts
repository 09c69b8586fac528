// Before the site build: convert each bundle and compute its findings, so a broken one is
// named (with file and line) and left out instead of failing the whole build.
import {readdirSync} from "node:fs";
import {join} from "node:path";
import {capturesDir, isBundleId} from "../loaders/bundle.js";
import {tablesFor} from "../loaders/cache.js";
import {findingsForTables} from "../loaders/findings/node.js";
import {printable} from "../loaders/text.js";

/** id → why the bundle cannot be built; empty when every bundle converts. */
export async function brokenBundles(dir = capturesDir()): Promise<Record<string, string>> {
  const broken: Record<string, string> = {};
  let entries: import("node:fs").Dirent[] = [];
  try {
    entries = readdirSync(dir, {withFileTypes: true});
  } catch {
    return broken; // no captures folder: the site says so
  }
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const id = entry.name;
    if (!isBundleId(id)) {
      broken[id] = "folder name is not a bundle id (letters, digits, . _ - only)";
      continue;
    }
    try {
      await findingsForTables(await tablesFor(join(dir, id)));
    } catch (error) {
      broken[id] = printable((error as Error).message);
    }
  }
  return broken;
}

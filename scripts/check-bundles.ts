// Before the site build: convert each bundle and compute its findings, so a broken one is
// named (with file and line) and left out instead of failing the whole build.
import {readdirSync} from "node:fs";
import {join} from "node:path";
import {capturesDir, isBundleId} from "../loaders/bundle.js";
import {tablesFor} from "../loaders/cache.js";
import {findingsForTables} from "../loaders/findings/node.js";
import type {Progress} from "../loaders/progress.js";
import {printable} from "../loaders/text.js";

/** id → why the bundle cannot be built; empty when every bundle converts. */
export async function brokenBundles(dir = capturesDir(), progress?: Progress): Promise<Record<string, string>> {
  const broken: Record<string, string> = {};
  let entries: import("node:fs").Dirent[] = [];
  try {
    entries = readdirSync(dir, {withFileTypes: true});
  } catch {
    return broken; // no captures folder: the site says so
  }
  const folders = entries.filter((e) => e.isDirectory());
  progress?.start("converting bundles", folders.length);
  for (const [done, entry] of folders.entries()) {
    const id = entry.name;
    progress?.update(done);
    progress?.label(`converting ${printable(id)}`);
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
  progress?.update(folders.length);
  progress?.stop();
  return broken;
}

// Framework renders every page of every bundle on each build, whether or not it changed
// (docs/performance.md: most of a fleet rebuild). Past SIDEBAR_BUNDLES the sidebar lists no
// bundle, so a bundle's pages depend only on its own data and the site's code; a bundle whose
// content and code are those of the last build keeps its pages and files from the last
// dist/, and Framework renders only the others (and always one: see planPages). When
// nothing changed at all (code, every bundle, the site-wide data), the last site is kept
// whole and Framework does not run, at any number of bundles.
import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {SIDEBAR_BUNDLES} from "../loaders/bundle.js";
import {sourcesHash} from "../loaders/hash.js";
import {userFindingFiles} from "../loaders/findings/user.js";

const RECORD = ".bpfbook-pages.json";

interface Record {
  key: string;
  /** Hash of the site-wide data (home, compare, failed bundles, sources: writeSiteOutputs). */
  site?: string;
  bundles: {[id: string]: string};
}

export interface PagePlan {
  /** Nothing changed since the last build into this dist/: it is the site, as it is. */
  unchanged: boolean;
  /** Bundles Framework renders; null: all of them. */
  render: string[] | null;
  /** Bundles whose pages come from the last dist/. */
  reuse: string[];
  /** Where the last dist/ waits while Framework writes the new one. */
  previous: string | null;
  record: Record;
}

/**
 * What the pages are made of besides the bundle's own data: the pages, components, config,
 * the loaders library, the build's scripts, the analyst's findings, the dependencies
 * (package-lock.json), and what this build says of the declared sources (a summary page
 * reads it).
 */
export function pagesKey(): string {
  const site = readdirSync("src").filter((f) => !f.startsWith(".")).map((f) => join("src", f));
  return createHash("sha256")
    .update(sourcesHash([...site, "loaders", "scripts", "observablehq.config.ts", "package-lock.json", ...userFindingFiles()], /./))
    .update(process.env.BPFBOOK_SOURCES_REPORT ?? "[]")
    .digest("hex")
    .slice(0, 16);
}

function readRecord(dist: string): Record | null {
  try {
    return JSON.parse(readFileSync(join(dist, RECORD), "utf8"));
  } catch {
    return null;
  }
}

/** The bundle's files in a built site: its pages and findings.json, and its loader outputs. */
const bundleFolders = (dist: string, id: string) => [join(dist, "captures", id), join(dist, "_file", "captures", id)];

/**
 * Decides which bundles Framework renders. `hashes` are the bundles to build (id → content
 * hash). The last dist/ is moved aside (not deleted) when some of it will be reused.
 */
export function planPages(dist: string, hashes: {[id: string]: string}, site: string, key = pagesKey()): PagePlan {
  const ids = Object.keys(hashes).sort();
  const record = {key, site, bundles: hashes};
  const last = readRecord(dist);
  const all: PagePlan = {unchanged: false, render: null, reuse: [], previous: null, record};
  if (last === null || last.key !== key) return all;
  // Bundles as the last build made them, their pages still in dist/.
  const reuse = ids.filter((id) => last.bundles[id] === hashes[id] && bundleFolders(dist, id).every((p) => existsSync(p) && statSync(p).isDirectory()));
  const sameBundles = reuse.length === ids.length && ids.length === Object.keys(last.bundles).length;
  if (sameBundles && last.site === site && existsSync(join(dist, "index.html"))) return {...all, unchanged: true, reuse};
  if (ids.length <= SIDEBAR_BUNDLES || reuse.length === 0) return all;
  const render = ids.filter((id) => !reuse.includes(id));
  // One bundle is always rendered. Framework writes a module of the site's own (src/components)
  // with its imports resolved against everything the build's pages import: without a bundle
  // page, the home page's copy of bundle-db.js would name apache-arrow unhashed, and the kept
  // pages would load a module that is not there.
  if (render.length === 0) render.push(reuse.shift()!);
  const previous = `${dist}.previous-${process.pid}`;
  rmSync(previous, {recursive: true, force: true});
  renameSync(dist, previous);
  return {unchanged: false, render, reuse, previous, record};
}

/** Moves the bundles' folders (bundleFolders) from one built site into another, replacing what is there. */
function moveBundleFolders(from: string, to: string, ids: string[]): void {
  for (const id of ids) {
    const [source, target] = [bundleFolders(from, id), bundleFolders(to, id)];
    for (let i = 0; i < source.length; i++) {
      mkdirSync(dirname(target[i]), {recursive: true});
      rmSync(target[i], {recursive: true, force: true});
      renameSync(source[i], target[i]);
    }
  }
}

/** After Framework: the reused bundles' folders move into the new dist/, and the record is written. */
export function carryOver(plan: PagePlan, dist: string): void {
  if (plan.previous) {
    moveBundleFolders(plan.previous, dist, plan.reuse);
    rmSync(plan.previous, {recursive: true, force: true});
  }
  writeFileSync(join(dist, RECORD), JSON.stringify(plan.record));
}

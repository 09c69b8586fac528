// Framework renders pages in one process, one page at a time: for a fleet, a cold build
// spent most of its time there with the other cores idle (docs/performance.md, "Build").
// Past PAGES_PER_PROCESS bundles, the bundles are dealt to one `observable build` per core,
// each writing its own output folder (BPFBOOK_RENDER names its bundles, observablehq.config.ts);
// the others' bundle folders then move into the first's, and any file the first lacks is
// copied. Each process repeats Framework's fixed work (the home and compare pages, the shared
// modules), so small sites keep one.
//
// Framework writes its client bundles into <root>/.observablehq/cache/_observablehq on every
// build and reads them back later: two processes over one root could read each other's
// half-written file. So each extra process gets a root of its own (BPFBOOK_ROOT): src/'s
// pages and components hard-linked (a copy would be newer than the loaders' outputs, which
// would then run again), and a cache linking to src's entries (the data loaders' outputs,
// the npm cache) but with its own _observablehq.
import {spawn} from "node:child_process";
import {copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync, symlinkSync} from "node:fs";
import {availableParallelism} from "node:os";
import {basename, dirname, join, resolve} from "node:path";
import {sweepDead} from "../loaders/alive.js";
import {moveBundleFolders} from "./page-reuse.js";

/** Below this many bundles a process, a second process's fixed work costs more than it saves. */
const PAGES_PER_PROCESS = 6;

/** How many Framework processes render `bundles` bundles: BPFBOOK_PAGE_JOBS, else one per core with enough bundles each. */
export function frameworkJobs(bundles: number, cores = availableParallelism()): number {
  const asked = Number(process.env.BPFBOOK_PAGE_JOBS);
  const jobs = asked >= 1 ? Math.floor(asked) : Math.min(cores, Math.floor(bundles / PAGES_PER_PROCESS));
  return Math.max(1, Math.min(jobs, bundles));
}

/** Bundles dealt round-robin into `jobs` parts (neighbours in name order go to different processes). */
export function dealBundles(bundles: string[], jobs: number): string[][] {
  const parts: string[][] = Array.from({length: jobs}, () => []);
  bundles.forEach((id, i) => parts[i % jobs].push(id));
  return parts.filter((p) => p.length > 0);
}

function observableBuild(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("observable", ["build"], {stdio: "inherit", env: {...process.env, ...env}});
    child.on("error", () => resolve(1));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Renders the site into `dist`: every bundle's pages, or those of `render` (the others are
 * kept from the last build by the caller). Returns Framework's exit status (0: built).
 */
export async function buildPages(dist: string, render: string[] | null, allBundles: string[], {quiet = false} = {}): Promise<number> {
  sweepAbandoned(dist);
  const bundles = render ?? allBundles;
  const parts = dealBundles(bundles, frameworkJobs(bundles.length));
  if (!quiet) console.error(`bpfbook build: rendering ${bundles.length} bundle(s)' pages in ${parts.length} Framework process(es)`);
  if (parts.length === 1) return observableBuild(render ? {BPFBOOK_RENDER: JSON.stringify(render)} : {});
  const outputs = parts.map((_, i) => (i === 0 ? dist : `${dist}.part-${i}-${process.pid}`));
  const roots = parts.map((_, i) => (i === 0 ? "src" : `.bpfbook-root-${i}-${process.pid}`));
  try {
    for (const out of outputs) rmSync(out, {recursive: true, force: true});
    for (const root of roots.slice(1)) mirrorRoot("src", root);
    const statuses = await Promise.all(parts.map((part, i) => observableBuild({BPFBOOK_RENDER: JSON.stringify(part), BPFBOOK_DIST: outputs[i], BPFBOOK_ROOT: roots[i]})));
    const failed = statuses.find((s) => s !== 0);
    if (failed !== undefined) return failed;
    for (let i = 1; i < parts.length; i++) mergeInto(outputs[i], dist, parts[i]);
    return 0;
  } finally {
    for (const path of [...outputs.slice(1), ...roots.slice(1)]) rmSync(path, {recursive: true, force: true});
  }
}

/** Extra roots and output folders left by a build that was killed (its process is gone). */
export function sweepAbandoned(dist: string, project = "."): void {
  const owner = (pattern: RegExp) => (name: string) => {
    const m = pattern.exec(name);
    return m ? Number(m[1]) : null;
  };
  sweepDead(project, owner(/^\.bpfbook-root-\d+-(\d+)$/));
  const prefix = basename(dist).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  sweepDead(dirname(dist), owner(new RegExp(`^${prefix}\\.part-\\d+-(\\d+)$`)));
}

/** A Framework root for one more process: `src`'s files hard-linked (same bytes, same times), its cache's entries linked, but for Framework's own bundles. */
export function mirrorRoot(src: string, root: string): void {
  rmSync(root, {recursive: true, force: true});
  linkTree(src, root, (name) => name !== ".observablehq");
  const cache = join(src, ".observablehq", "cache");
  const mirrored = join(root, ".observablehq", "cache");
  mkdirSync(join(mirrored, "_observablehq"), {recursive: true});
  if (!existsSync(cache)) return;
  for (const entry of readdirSync(cache)) {
    if (entry !== "_observablehq" && entry !== "_build.json") symlinkSync(resolve(cache, entry), join(mirrored, entry));
  }
}

/** `from`'s folders made again under `to`, its files hard-linked (a data loader keeps its modification time, so its output stays fresh). */
function linkTree(from: string, to: string, keep: (name: string) => boolean = () => true): void {
  mkdirSync(to, {recursive: true});
  for (const entry of readdirSync(from, {withFileTypes: true})) {
    if (!keep(entry.name)) continue;
    if (entry.isDirectory()) linkTree(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile()) linkSync(join(from, entry.name), join(to, entry.name));
  }
}

/** Moves `bundles`' folders from one output into `dist`, then copies any other file `dist` lacks. */
function mergeInto(from: string, dist: string, bundles: string[]): void {
  moveBundleFolders(from, dist, bundles);
  copyMissing(from, dist);
}

function copyMissing(from: string, to: string): void {
  for (const entry of readdirSync(from, {withFileTypes: true})) {
    const [source, target] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) {
      mkdirSync(target, {recursive: true});
      copyMissing(source, target);
    } else if (!existsSync(target)) copyFileSync(source, target);
  }
}

// Before Framework renders the pages, every bundle's page data is made here: converted
// (the conversion cache as ever), its findings computed, and each file its data loaders
// would write (loaders/site.ts BUNDLE_OUTPUTS) written straight into Framework's loader
// cache, src/.observablehq/cache/captures/<id>/. Framework then finds every output fresh
// and starts no loader process (about a second each under tsx, ten or more per bundle).
// Bundles are made in one worker process per core; a bundle whose outputs are all there
// (scripts/loader-outputs.ts keeps them only while its content and the code are unchanged)
// costs nothing. A bundle that fails is named with the reason and left out.
import {type ChildProcess, spawn} from "node:child_process";
import {createHash} from "node:crypto";
import {createWriteStream, existsSync, mkdirSync, readdirSync} from "node:fs";
import {cpus} from "node:os";
import {join} from "node:path";
import {createInterface} from "node:readline";
import {fileURLToPath} from "node:url";
import {capturesDir, isBundleId} from "../loaders/bundle.js";
import {isConverted, tablesFor} from "../loaders/cache.js";
import type {Progress} from "../loaders/progress.js";
import {openTables} from "../loaders/findings/node.js";
import {BUNDLE_OUTPUTS, SITE_OUTPUTS, bundleSummary, compareEntry} from "../loaders/site.js";
import {printable} from "../loaders/text.js";
import {writeFileAtomic} from "../loaders/write.js";

/** Where Framework keeps a bundle's loader outputs. */
export const outputsDir = (id: string, root = "src") => join(root, ".observablehq", "cache", "captures", id);

/** Whether every output of the bundle is in Framework's cache already. */
export const outputsComplete = (id: string, root = "src") => Object.keys(BUNDLE_OUTPUTS).every((name) => existsSync(join(outputsDir(id, root), name)));

/** Makes one bundle's outputs (those missing) and warms its home and compare entries. */
export async function precomputeBundle(id: string, captures = capturesDir(), root = "src"): Promise<void> {
  const tables = await tablesFor(join(captures, id));
  const out = outputsDir(id, root);
  mkdirSync(out, {recursive: true});
  // One database for all of the bundle's outputs (opening one and its views costs more
  // than most of the queries).
  const db = await openTables(tables);
  try {
    for (const [name, make] of Object.entries(BUNDLE_OUTPUTS)) {
      const path = join(out, name);
      if (existsSync(path)) continue;
      writeFileAtomic(path, await make(tables, db));
    }
    await bundleSummary(id, tables, db);
    await compareEntry(id, tables, db);
  } finally {
    db.close();
  }
}

/**
 * The site-wide loaders' outputs (home, compare, failed bundles, declared sources) written
 * into Framework's cache, after the bundles' (their entries are cached by then) and once
 * the failed bundles are known (BPFBOOK_FAILED). Returns a hash of what was written.
 */
export async function writeSiteOutputs(root = "src"): Promise<string> {
  const cache = join(root, ".observablehq", "cache");
  mkdirSync(cache, {recursive: true});
  const hash = createHash("sha256");
  for (const [name, make] of Object.entries(SITE_OUTPUTS)) {
    const contents = await make();
    writeFileAtomic(join(cache, name), contents);
    hash.update(name).update("\0").update(contents).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

type Result = {id: string; error?: string};

/** One worker: bundle ids in on stdin, a result per line out on fd 3 (stdout stays free for anything the libraries print). */
async function worker(): Promise<void> {
  const results = createWriteStream("", {fd: 3});
  for await (const id of createInterface({input: process.stdin})) {
    let result: Result;
    try {
      await precomputeBundle(id);
      result = {id};
    } catch (error) {
      result = {id, error: printable((error as Error).message)};
    }
    results.write(JSON.stringify(result) + "\n");
  }
  results.end();
}

/** id → why the bundle cannot be built; every other bundle has its outputs in Framework's cache. */
export async function precomputeBundles({captures = capturesDir(), root = "src", jobs = cpus().length, exclude = [], progress}: {captures?: string; root?: string; jobs?: number; exclude?: string[]; progress?: Progress} = {}): Promise<Record<string, string>> {
  const broken: Record<string, string> = {};
  let folders: string[] = [];
  try {
    // Dot-folders are work in progress (a fetch or capture being staged), not bundles.
    folders = readdirSync(captures, {withFileTypes: true}).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
  } catch {
    return broken; // no captures folder: the site says so
  }
  for (const id of folders) if (!isBundleId(id)) broken[id] = "folder name is not a bundle id (letters, digits, . _ - only)";
  // A bundle whose outputs are there but whose tables are not (the conversion cache was
  // cleared) is converted here too: its home and compare entries read them, and the site-wide
  // data would otherwise convert it later, one bundle at a time.
  const todo = folders.filter((id) => isBundleId(id) && !exclude.includes(id) && !(outputsComplete(id, root) && isConverted(join(captures, id))));
  if (todo.length === 0) return broken;
  progress?.start("converting bundles", todo.length);
  let done = 0;
  const settle = ({id, error}: Result) => {
    if (error !== undefined) broken[id] = error;
    progress?.update(++done);
    progress?.label(`converted ${printable(id)}`);
  };
  const workers = Math.min(jobs, todo.length);
  if (workers <= 1) {
    // One bundle (or one core): no process to start.
    for (const id of todo) {
      try {
        await precomputeBundle(id, captures, root);
        settle({id});
      } catch (error) {
        settle({id, error: printable((error as Error).message)});
      }
    }
  } else {
    const queue = [...todo];
    // Each worker's DuckDB gets its share of the cores, not all of them.
    const threadsEach = Math.max(1, Math.floor(cpus().length / workers));
    const run = (child: ChildProcess) =>
      new Promise<void>((resolve) => {
        const mine = new Set<string>();
        const next = () => {
          const id = queue.shift();
          if (id === undefined) return void child.stdin!.end();
          mine.add(id);
          child.stdin!.write(id + "\n");
        };
        createInterface({input: child.stdio[3] as NodeJS.ReadableStream}).on("line", (line) => {
          const result = JSON.parse(line) as Result;
          mine.delete(result.id);
          settle(result);
          next();
        });
        child.on("close", (code, signal) => {
          // A worker that died takes the bundle it was making with it, named.
          for (const id of mine) settle({id, error: `the conversion process ended (${signal ?? `exit ${code}`}) while making this bundle`});
          resolve();
        });
        next();
      });
    await Promise.all(
      Array.from({length: workers}, () =>
        run(spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--worker"], {env: {...process.env, BPFBOOK_CAPTURES: captures, BPFBOOK_DUCKDB_THREADS: process.env.BPFBOOK_DUCKDB_THREADS ?? String(threadsEach)}, stdio: ["pipe", "inherit", "inherit", "pipe"]}))
      )
    );
  }
  progress?.stop();
  return broken;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes("--worker")) await worker();

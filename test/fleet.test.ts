// Fleet builds (#17): every bundle's page data is made ahead of Framework, so Framework
// starts no per-bundle loader; a rebuild of unchanged bundles converts nothing; the list of
// what a bundle page loads is the same in loaders/site.ts and in src/captures/[bundle]/.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {cpSync, existsSync, readFileSync, readdirSync, statSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {BUNDLE_OUTPUTS} from "../loaders/site.js";
import {tempDir} from "./helpers.js";

test("each data loader of a bundle page has its output in BUNDLE_OUTPUTS, and no other", () => {
  const loaders = readdirSync(join("src", "captures", "[bundle]")).filter((f) => f.endsWith(".ts")).map((f) => f.replace(/\.ts$/, ""));
  assert.deepEqual(loaders.sort(), Object.keys(BUNDLE_OUTPUTS).sort());
});

function build(captures: string, dist: string, cache: string) {
  const result = spawnSync("npm", ["run", "build"], {env: {...process.env, BPFBOOK_CAPTURES: captures, BPFBOOK_DIST: dist, BPFBOOK_CACHE: cache}, encoding: "utf8", maxBuffer: 256 << 20});
  assert.equal(result.status, 0, `build failed:\n${result.stderr.slice(-3000)}`);
  return result.stdout + result.stderr;
}

/** The per-bundle data loaders Framework ran (an output it did not find fresh in its cache). */
const loadersRun = (log: string) => log.split("\n").filter((l) => /load \/captures\/.*\[(missing|stale)\]/.test(l));

test("20 bundles: every page and findings.json built, no per-bundle loader started; a rebuild converts nothing", () => {
  const captures = tempDir("fleet-captures");
  for (let i = 0; i < 20; i++) cpSync(join("data", "captures", i % 2 ? "demo-nofsync" : "demo-fsync"), join(captures, `host-${String(i).padStart(2, "0")}`), {recursive: true});
  const cache = tempDir("fleet-cache");
  const dist = tempDir("fleet-dist");
  const cold = build(captures, dist, cache);
  assert.deepEqual(loadersRun(cold), [], "every bundle's outputs were made before Framework");
  for (const id of readdirSync(captures)) {
    for (const page of ["index", "durability", "io", "syscalls", "offcpu", "oncpu", "explore"]) assert.ok(existsSync(join(dist, "captures", id, `${page}.html`)), `${id}/${page}`);
    assert.ok(existsSync(join(dist, "captures", id, "findings.json")), `${id} findings.json`);
  }
  // Past a dozen bundles the sidebar lists none: a page links its own bundle's pages (its
  // header) and not every page of the fleet, so pages do not grow with the fleet.
  const page = readFileSync(join(dist, "captures", "host-00", "durability.html"), "utf8");
  assert.doesNotMatch(page, /host-19/);
  assert.match(page, /<nav class="bundle-nav">/);
  assert.equal((page.match(/<nav class="bundle-nav">[\s\S]*?<\/nav>/)![0].match(/<a /g) ?? []).length, 8, "Bundles and the bundle's seven pages");
  assert.match(page, /aria-current="page">Durability</);
  const converted = readdirSync(cache);
  assert.equal(converted.length, 20, "each bundle converted once");
  const stamps = converted.map((d) => statSync(join(cache, d, "captures.parquet")).mtimeMs);
  const again = build(captures, tempDir("fleet-dist"), cache);
  assert.deepEqual(readdirSync(cache), converted, "no new conversion");
  assert.deepEqual(converted.map((d) => statSync(join(cache, d, "captures.parquet")).mtimeMs), stamps, "no table rewritten");
  assert.deepEqual(loadersRun(again), []);
  assert.doesNotMatch(again, /converting bundles/, "nothing to convert: no progress shown");
});

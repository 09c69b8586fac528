// Fleet builds (#17): every bundle's page data is made ahead of Framework, so Framework
// starts no per-bundle loader; a rebuild of unchanged bundles converts nothing and keeps the
// site; a changed bundle alone is rendered again; the list of
// what a bundle page loads is the same in loaders/site.ts and in src/captures/[bundle]/.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {createHash} from "node:crypto";
import {cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from "node:fs";
import {join, resolve} from "node:path";
import {test} from "node:test";
import {BUNDLE_OUTPUTS} from "../loaders/site.js";
import {conversionsIn} from "../loaders/cache.js";
import type {Progress} from "../loaders/progress.js";
import {planPages} from "../scripts/page-reuse.js";
import {templateId} from "../scripts/page-template.js";
import {outputsDir} from "../scripts/precompute.js";
import {serve} from "../scripts/serve.js";
import {launch, visit} from "./browser.js";
import {tempDir} from "./helpers.js";

test("each data loader of a bundle page has its output in BUNDLE_OUTPUTS, and no other", () => {
  const loaders = readdirSync(join("src", "captures", "[bundle]")).filter((f) => f.endsWith(".ts")).map((f) => f.replace(/\.ts$/, ""));
  assert.deepEqual(loaders.sort(), Object.keys(BUNDLE_OUTPUTS).sort());
});

function build(captures: string, dist: string, cache: string) {
  const result = spawnSync("npm", ["run", "build"], {env: {...process.env, BPFBOOK_CAPTURES: captures, BPFBOOK_DIST: dist, BPFBOOK_CACHE: cache}, encoding: "utf8", maxBuffer: 256 << 20});
  assert.equal(result.status, 0, `build failed:\n${result.stderr.slice(-3000)}`);
  // Framework colours its log where CI is set (picocolors): read it as plain text.
  return (result.stdout + result.stderr).replace(/\x1b\[[0-9;]*m/g, "");
}

/** The data loaders Framework ran (an output it did not find fresh in its cache): per bundle or site-wide. */
const loadersRun = (log: string) => log.split("\n").filter((l) => /load \/.*\[(missing|stale)\]/.test(l));

test("20 bundles: every page and findings.json built, no per-bundle loader started; an unchanged rebuild keeps the site, a changed bundle alone is rendered", async () => {
  const captures = tempDir("fleet-captures");
  for (let i = 0; i < 20; i++) cpSync(join("data", "captures", i % 2 ? "demo-nofsync" : "demo-fsync"), join(captures, `host-${String(i).padStart(2, "0")}`), {recursive: true});
  const cache = tempDir("fleet-cache");
  const dist = tempDir("fleet-dist");
  const cold = build(captures, dist, cache);
  // Framework renders one template bundle's pages; every bundle's are filled from them
  // (scripts/page-template.ts), and the template leaves nothing behind.
  const template = templateId(readdirSync(captures));
  assert.match(cold, /20 bundle\(s\)' pages filled from one template Framework renders/);
  assert.deepEqual(renderedBundles(cold), [template], "the log is read: Framework rendered the template alone");
  for (const gone of [join(dist, "captures", template), join(dist, "_file", "captures", template), outputsDir(template)]) assert.ok(!existsSync(gone), gone);
  assert.deepEqual(loadersRun(cold), [], "every output, per bundle and site-wide, was made before Framework");
  assert.ok((cold.match(/\[fresh\]/g) ?? []).length >= Object.keys(BUNDLE_OUTPUTS).length, "Framework found the template's outputs (a bundle's) fresh");
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
  // A filled page is the page Framework renders for that bundle, byte for byte, and so are
  // the files it copies (Framework run here on two of the bundles, from the same cache).
  const rendered = tempDir("fleet-rendered");
  const own = spawnSync("npx", ["observable", "build"], {env: {...process.env, BPFBOOK_CAPTURES: captures, BPFBOOK_DIST: rendered, BPFBOOK_RENDER: JSON.stringify(["host-00", "host-13"])}, encoding: "utf8", maxBuffer: 256 << 20});
  assert.equal(own.status, 0, own.stderr.slice(-3000));
  for (const id of ["host-00", "host-13"]) {
    for (const dir of [join("captures", id), join("_file", "captures", id)]) {
      const files = readdirSync(join(rendered, dir));
      assert.deepEqual(readdirSync(join(dist, dir)).filter((f) => f !== "findings.json"), files, dir);
      for (const f of files) assert.ok(readFileSync(join(dist, dir, f)).equals(readFileSync(join(rendered, dir, f))), join(dir, f));
    }
  }
  const converted = conversionsIn(cache);
  assert.equal(converted.length, 20, "each bundle converted once");
  const stamps = converted.map((d) => statSync(join(cache, d, "captures.parquet")).mtimeMs);
  const pagesBefore = snapshot(dist);
  const again = build(captures, dist, cache);
  assert.deepEqual(conversionsIn(cache), converted, "no new conversion");
  assert.deepEqual(converted.map((d) => statSync(join(cache, d, "captures.parquet")).mtimeMs), stamps, "no table rewritten");
  assert.deepEqual(loadersRun(again), []);
  assert.doesNotMatch(again, /converting bundles/, "nothing to convert: no progress shown");
  // Nothing changed: the site is the last one, untouched, and Framework did not run.
  assert.deepEqual(renderedBundles(again), []);
  assert.match(again, /nothing changed since the last build: its site kept \(20 bundle\(s\)\)/);
  assert.deepEqual(snapshot(dist), pagesBefore);

  // One bundle changes: it alone is converted and rendered again, and its findings follow.
  rmSync(join(captures, "host-03"), {recursive: true});
  cpSync(join("data", "captures", "demo-fsync"), join(captures, "host-03"), {recursive: true});
  const verdict = () => JSON.parse(readFileSync(join(dist, "captures", "host-03", "findings.json"), "utf8")).findings.find((f: {id: string}) => f.id === "durability.fsync").verdict;
  assert.equal(verdict(), "target never fsyncs");
  const changed = build(captures, dist, cache);
  // That bundle's pages were filled again (Framework rendering the template writes the
  // modules all bundle pages share, as a full build writes them) and the others' were kept,
  // as a full render made them (same files, same bytes, but for file times), with every asset they name.
  assert.match(changed, /1 bundle\(s\)' pages filled from one template/);
  assert.deepEqual(renderedBundles(changed), [template]);
  assert.match(changed, /1 bundle\(s\) rendered, 19 kept from the last build/);
  assert.equal(verdict(), "target fsyncs");
  for (const id of readdirSync(captures)) assert.ok(existsSync(join(dist, "captures", id, "oncpu.html")), id);
  const after = snapshot(dist);
  for (const [path, bytes] of Object.entries(pagesBefore)) if (!path.includes("host-03")) assert.equal(after[path], bytes, path);
  assert.deepEqual(missingAssets(dist), []);
  await visitKept(dist, "host-07");
});

test("a build keeps the last site whole only when nothing changed: code, every bundle, the site-wide data", () => {
  const dist = tempDir("plan-dist");
  const bundles = {a: "hash-a", b: "hash-b"};
  for (const id of Object.keys(bundles)) for (const dir of [join(dist, "captures", id), join(dist, "_file", "captures", id)]) mkdirSync(dir, {recursive: true});
  writeFileSync(join(dist, "index.html"), "");
  writeFileSync(join(dist, ".bpfbook-pages.json"), JSON.stringify({key: "code", site: "site", bundles}));
  assert.equal(planPages(dist, bundles, "site", "code").unchanged, true);
  assert.equal(planPages(dist, bundles, "other site", "code").unchanged, false, "site-wide data changed");
  assert.equal(planPages(dist, bundles, "site", "other code").unchanged, false, "code changed");
  assert.equal(planPages(dist, {...bundles, b: "new"}, "site", "code").unchanged, false, "a bundle changed");
  assert.equal(planPages(dist, {a: "hash-a"}, "site", "code").unchanged, false, "a bundle went");
  assert.equal(planPages(dist, {...bundles, c: "hash-c"}, "site", "code").unchanged, false, "a bundle came");
  // A few bundles (the sidebar lists them): anything changed renders the whole site.
  assert.equal(planPages(dist, {...bundles, b: "new"}, "site", "code").render, null);
  rmSync(join(dist, "captures", "b"), {recursive: true});
  assert.equal(planPages(dist, bundles, "site", "code").unchanged, false, "a bundle's pages are gone from dist/");
});

/** A kept bundle's summary and On-CPU pages load clean in Chromium: nothing they load is missing. */
async function visitKept(dist: string, id: string): Promise<void> {
  const site = await serve(dist, 0, "127.0.0.1");
  const browser = await launch();
  try {
    const origin = `http://127.0.0.1:${(site.address() as {port: number}).port}`;
    for (const [path, ready] of [[`/captures/${id}/`, '.findings[data-complete="true"]'], [`/captures/${id}/oncpu`, ".flamegraph canvas"]]) {
      const {failures} = await visit(browser, origin, path, {ready});
      assert.deepEqual(failures, [], path);
    }
  } finally {
    await browser.close();
    site.close();
  }
}

/** Local files a built page names (modules, stylesheets, registered files) that are not in dist/. */
function missingAssets(dist: string): string[] {
  const missing = new Set<string>();
  let named = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, {withFileTypes: true})) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".html")) {
        for (const [, ref] of readFileSync(path, "utf8").matchAll(/["']((?:\.\.?\/)+_(?:import|npm|observablehq|file)\/[^"'?#]+)/g)) {
          named++;
          if (!existsSync(resolve(dir, ref))) missing.add(`${path.slice(dist.length)} → ${ref}`);
        }
      }
    }
  };
  walk(dist);
  assert.ok(named > 20 * 7 * 10, `pages name their assets (${named} references seen)`);
  return [...missing];
}

/** The bundles Framework rendered pages for, from its log. */
const renderedBundles = (log: string) => [...new Set([...log.matchAll(/render \/captures\/([^/]+)\//g)].map((m) => m[1]))].sort();

/**
 * A page as rendered, but for the time Framework stamps on the site-wide files it registers
 * (the home page's loader outputs, remade each build: their mtime, never their content).
 */
const renderedText = (path: string) => readFileSync(path, "utf8").replace(/"lastModified":\d+/g, '"lastModified":0');

/** Every page and data file of a built site's bundles, path → sha256. */
function snapshot(dist: string): {[path: string]: string} {
  const out: {[path: string]: string} = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, {withFileTypes: true})) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name !== "findings.json") out[path.slice(dist.length)] = createHash("sha256").update(e.name.endsWith(".html") ? renderedText(path) : readFileSync(path)).digest("hex");
    }
  };
  walk(join(dist, "captures"));
  walk(join(dist, "_file", "captures"));
  return out;
}

test("filling pages from the template stops, saying why, when Framework's page is not what it expects", async () => {
  const {fillPages} = await import("../scripts/page-template.js");
  const root = tempDir("template-root");
  const dist = tempDir("template-dist");
  const output = outputsDir("tpl", root);
  mkdirSync(output, {recursive: true});
  writeFileSync(join(output, "x.json"), "{}");
  const mtime = Math.floor(statSync(join(output, "x.json")).mtimeMs);
  const hash = createHash("sha256").update("{}").digest("hex").slice(0, 8);
  mkdirSync(join(dist, "captures", "tpl"), {recursive: true});
  mkdirSync(join(dist, "_file", "captures", "tpl"), {recursive: true});
  writeFileSync(join(dist, "_file", "captures", "tpl", `x.${hash}.json`), "{}");
  const page = (size: number) =>
    `<script>\nregisterFile("./x.json", {"name":"./x.json","mimeType":"application/json","path":"../../_file/captures/tpl/x.${hash}.json","lastModified":${mtime},"size":${size}});\nconst id = "tpl";</script>`;
  writeFileSync(join(dist, "captures", "tpl", "index.html"), page(3));
  assert.throws(() => fillPages("tpl", ["a"], dist, root), /Framework registered \.\/x\.json in captures\/tpl\/index\.html .*BPFBOOK_PAGE_TEMPLATE=0/);
  // As Framework writes it: the bundle's page names its own file and id.
  writeFileSync(join(dist, "captures", "tpl", "index.html"), page(2));
  mkdirSync(outputsDir("a", root), {recursive: true});
  writeFileSync(join(outputsDir("a", root), "x.json"), "[1]");
  fillPages("tpl", ["a"], dist, root);
  const filled = readFileSync(join(dist, "captures", "a", "index.html"), "utf8");
  const own = createHash("sha256").update("[1]").digest("hex").slice(0, 8);
  assert.match(filled, new RegExp(`"path":"\\.\\./\\.\\./_file/captures/a/x\\.${own}\\.json","lastModified":\\d+,"size":3\\}`));
  assert.match(filled, /const id = "a";/);
  assert.equal(readFileSync(join(dist, "_file", "captures", "a", `x.${own}.json`), "utf8"), "[1]");
});

test("a bundle whose page data is in Framework's cache but whose tables are not is converted ahead of Framework", async () => {
  const {precomputeBundles} = await import("../scripts/precompute.js");
  const captures = tempDir("precompute-captures");
  for (const id of ["a", "b"]) cpSync(join("data", "captures", "demo-fsync"), join(captures, id), {recursive: true});
  const root = tempDir("precompute-root");
  const cache = tempDir("precompute-cache");
  const saved = process.env.BPFBOOK_CACHE;
  process.env.BPFBOOK_CACHE = cache;
  try {
    assert.deepEqual(await precomputeBundles({captures, root, jobs: 1}), {});
    assert.equal(conversionsIn(cache).length, 2);
    // The conversion cache cleared, Framework's kept: both bundles are made again here
    // (before, the site-wide data converted them later, one at a time).
    for (const dir of conversionsIn(cache)) rmSync(join(cache, dir), {recursive: true});
    let converted = 0;
    const progress: Progress = {start: () => {}, update: (n) => void (converted = n), label: () => {}, stop: () => {}};
    await precomputeBundles({captures, root, jobs: 1, progress});
    assert.equal(converted, 2);
    assert.equal(conversionsIn(cache).length, 2);
    // Everything there: nothing to do.
    converted = 0;
    await precomputeBundles({captures, root, jobs: 1, progress});
    assert.equal(converted, 0);
  } finally {
    if (saved === undefined) delete process.env.BPFBOOK_CACHE;
    else process.env.BPFBOOK_CACHE = saved;
  }
});

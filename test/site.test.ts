// The built site in a real browser: every page loads clean from loopback, states its
// computed sentence and draws its chart; a test of the test shows the checks can fail.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {cpSync, existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync} from "node:fs";
import type {Server} from "node:http";
import {join, relative} from "node:path";
import {after, before, test} from "node:test";
import type {Browser} from "playwright-core";
import {type Override, serve} from "../scripts/serve.js";
import {convertToParquet} from "../loaders/convert.js";
import {openTables} from "../loaders/findings/node.js";
import {launch, visit} from "./browser.js";
import {REFERENCE, REFERENCE_WINDOWS, exampleFolder, tempDir} from "./helpers.js";
import {schemaErrors} from "./schema.js";

const hasReference = existsSync(REFERENCE);
if (!hasReference && process.env.CI) throw new Error(`reference bundle missing at ${REFERENCE}; CI must have ../shared`);

let dist: string;
let server: Server;
let origin: string;
let browser: Browser;
let sabotage: Override | undefined;

export function build(captures: string, out: string, findings?: string) {
  return spawnSync("npm", ["run", "build"], {
    env: {...process.env, BPFBOOK_CAPTURES: captures, BPFBOOK_DIST: out, ...(findings ? {BPFBOOK_FINDINGS: findings} : {})},
    encoding: "utf8",
    maxBuffer: 64 << 20
  });
}

function pages(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith("_")) walk(path);
      else if (entry.name.endsWith(".html") && entry.name !== "404.html") out.push("/" + relative(root, path).replace(/index\.html$/, "").replace(/\.html$/, ""));
    }
  };
  walk(root);
  return out.sort();
}

/** A generated on-CPU profile with `n` unique stacks, for the flame graph at scale. */
function writeBigProfile(dir: string, n: number): void {
  mkdirSync(dir, {recursive: true});
  cpSync(join("test", "fixtures", "hostile", "00-context.txt"), join(dir, "00-context.txt"));
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const crates = ["blake3::portable", "tokio::runtime", "rocksdb::db", "tracing_subscriber::fmt", "libp2p::swarm", "core::ptr"];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const depth = 4 + Math.floor(random() * 20);
    const frames = ["main"];
    for (let d = 1; d < depth; d++) frames.push(`${crates[Math.floor(random() * crates.length)]}::f${Math.floor(random() * 40)}`);
    frames.push(`leaf_${i}`);
    lines.push(`${frames.join(";")} ${1 + Math.floor(random() * 5)}`);
  }
  writeFileSync(join(dir, "05-oncpu.folded"), lines.join("\n") + "\n");
}

/** The embedded captures recorded with `npm run capture` against the demo, one per mode. */
const EMBEDDED = ["demo-fsync", "demo-nofsync"];

// A bundle page is ready when its findings container says every card is in.
const readyFor = (path: string) =>
  path === "/compare"
    ? ".flamegraph canvas, main p"
    : /\/(durability|io|syscalls|offcpu|explore)$/.test(path)
      ? "main table"
      : path.startsWith("/captures/")
        ? '.findings[data-complete="true"]'
        : ".fleet-matrix tbody tr";

before(async () => {
  const captures = tempDir("captures");
  if (hasReference) {
    // As an analyst would: npm run fetch with the windows SOURCE.md states.
    const windows = Object.entries(REFERENCE_WINDOWS).flatMap(([file, s]) => ["--window", `${file}=${s}`]);
    const fetched = spawnSync("npm", ["run", "fetch", "--", REFERENCE, "--id", "qfc-t1", ...windows], {env: {...process.env, BPFBOOK_CAPTURES: captures}, encoding: "utf8"});
    assert.equal(fetched.status, 0, fetched.stderr);
  }
  cpSync(join("test", "fixtures", "hostile"), join(captures, "hostile"), {recursive: true});
  for (const id of EMBEDDED) cpSync(join("data", "captures", id), join(captures, id), {recursive: true});
  writeBigProfile(join(captures, "big"), 100_000);
  dist = tempDir("dist");
  // Built with the analyst's example finding (docs/analysis.md) in its findings folder.
  const result = build(captures, dist, exampleFolder());
  assert.equal(result.status, 0, `build failed:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  server = await serve(dist, 0, "127.0.0.1", (path, file) => sabotage?.(path, file));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test("the build makes a page per bundle and the index, and ships one duckdb-wasm build", () => {
  const list = pages(dist);
  assert.ok(list.includes("/"), "index page");
  assert.ok(list.includes("/captures/hostile/"));
  if (hasReference) assert.ok(list.includes("/captures/qfc-t1/"));
  const wasm = readdirSync(join(dist, "_npm", "@duckdb", "duckdb-wasm@1.29.0", "dist"));
  assert.ok(wasm.some((f) => f === "duckdb-eh.wasm"));
  assert.ok(!wasm.some((f) => /mvp/.test(f)), "MVP build pruned");
});

test("the site's icon is served from the site and Chromium draws it (the pages name none)", async () => {
  const page = await browser.newPage();
  await page.goto(origin + "/");
  const size = await page.evaluate(async () => {
    const img = new Image();
    img.src = "/favicon.ico";
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  });
  assert.deepEqual(size, [16, 16]);
  assert.equal(await page.locator("head link[rel~=icon]").count(), 0, "no per-page icon link (it costs Framework a parse per page)");
  await page.close();
});

test("every findings.json the build wrote matches docs/findings.schema.json", () => {
  const bundles = readdirSync(join(dist, "captures"), {withFileTypes: true}).filter((e) => e.isDirectory() && existsSync(join(dist, "captures", e.name, "findings.json")));
  assert.ok(bundles.length >= 4, bundles.map((b) => b.name).join(", "));
  for (const b of bundles) assert.deepEqual(schemaErrors(JSON.parse(readFileSync(join(dist, "captures", b.name, "findings.json"), "utf8"))), [], b.name);
});

test("every built page loads clean in Chromium: no errors, no failed or off-origin requests, no dialog or markup from captures", async () => {
  // The Explore page is the same code on every bundle and has its own test below: it is
  // visited here on the hostile bundle (capture text in its examples and results) only.
  for (const path of pages(dist).filter((p) => !p.endsWith("/explore") || p === "/captures/hostile/explore")) {
    const {page, failures} = await visit(browser, origin, path, {ready: readyFor(path)});
    // The hostile bundle's names (markup, bidi, escapes, 100 kB, invalid UTF-8) must stay text;
    // on its flame graph, hover too, where frames become tooltip text.
    if (path === "/captures/hostile/oncpu") await page.locator(".flamegraph canvas").hover({position: {x: 300, y: 3 * 18 + 9}});
    assert.deepEqual(await injectedMarkup(page), [], `${path}: markup from a capture became elements`);
    assert.deepEqual(failures, [], `${path}`);
    if (path.startsWith("/captures/") && !/\/(oncpu|explore)$/.test(path)) {
      assert.ok((await page.locator("[data-finding] .narrative").count()) > 0, `${path} has its finding`);
    }
    if (/^\/captures\/[^/]+\/$/.test(path)) {
      assert.ok((await page.locator("[data-finding] .narrative").first().innerText()).length > 40, `${path} has its sentence`);
      assert.ok((await page.locator(".finding svg, .finding canvas").count()) > 0, `${path} draws its chart`);
    }
    await page.close();
  }
});

test("qfc-t1: the page says alloy called fsync 6 times and the target's threads none", {skip: hasReference ? false : "no ../shared"}, async () => {
  const {page, failures} = await visit(browser, origin, "/captures/qfc-t1/", {ready: readyFor("/captures/")});
  assert.deepEqual(failures, []);
  const sentence = await page.locator('[data-finding="durability.fsync"] .narrative').innerText();
  assert.match(sentence, /^From 01-fsync-latency\.txt \(bpfbook fsync\.bt, 60 s\): qfc-node-1's threads \(qfc-node, tokio-rt-worker, rocksdb:low, rocksdb:high and futures-timer\) called fsync\/fdatasync 0 times/);
  assert.match(sentence, /alloy 6 times/);
  assert.match(await page.locator('[data-finding="durability.fsync"] .number').innerText(), /^0 fsync calls/);
  assert.equal(await page.locator('[data-finding="durability.fsync"] :is(svg, canvas)').count(), 1, "its latency chart");
  await page.close();
});

test("qfc-t1: findings.json and the page state the published findings", {skip: hasReference ? false : "no ../shared"}, async () => {
  const json = JSON.parse(readFileSync(join(dist, "captures", "qfc-t1", "findings.json"), "utf8"));
  const byId = Object.fromEntries(json.findings.map((f: {id: string}) => [f.id, f]));
  assert.equal(byId["durability.fsync"].metrics.target_fsync_calls, 0);
  assert.equal(byId["cpu.hotspots"].metrics.samples, 1987);
  assert.deepEqual([byId["disk.latency"].metrics.p999_lo_us, byId["disk.latency"].metrics.p999_hi_us], [32768, 65536]);
  const {page, failures} = await visit(browser, origin, "/captures/qfc-t1/", {ready: readyFor("/captures/")});
  assert.deepEqual(failures, []);
  const text = async (id: string) => page.locator(`[data-finding="${id}"] .narrative`).innerText();
  assert.match(await text("durability.fsync"), /called fsync\/fdatasync 0 times in 60 s.*alloy 6 times/);
  assert.match(await text("cpu.hotspots"), /hashing is in 47\.1% \(44\.9–49\.3%\) of 1,987 on-CPU samples, log formatting in 16\.9% \(15\.3–18\.6%\).*portable \(scalar\) backend/);
  assert.deepEqual(byId["cpu.hotspots"].metrics.hash_share_ci95.map((x: number) => x.toFixed(3)), ["0.449", "0.493"]);
  // Every built-in card that rests on one capture file names it and its status (the
  // analyst's example, built in here too, keeps its own metrics).
  for (const f of json.findings.filter((x: {id: string}) => x.id !== "data.quality" && x.id !== "example.busiest_thread")) {
    const line = await page.locator(`[data-finding="${f.id}"] .evidence`).innerText();
    if (f.metrics.evidence_file === null) assert.equal(line, "evidence: none in this bundle", f.id);
    else assert.match(line, new RegExp(`^evidence: ${f.metrics.evidence_file.replace(/[.]/g, "\\.")} \\(.*\\) · ok$`), f.id);
  }
  // Its profile is folded stacks: no sample times, so no claim about phases.
  assert.equal(byId["cpu.phases"].verdict, "no timed on-CPU samples");
  assert.match(await text("logging.writes"), /made 20,152 write\(\)\/s .*dockerd 568,914, containerd-shim 260,783/);
  assert.match(await text("disk.latency"), /p99\.9 in 32–64 ms/);
  assert.match(await text("offcpu.breakdown"), /futex 75 s, network 15 s; no disk wait/);
  // The page recomputed the same findings in the browser as the build did in Node.
  for (const f of json.findings) assert.equal(await text(f.id), f.narrative, f.id);
  assert.equal(await page.locator('[data-finding][data-verified="true"]').count(), json.findings.length, "every card rechecked in the browser");
  await page.close();
});

test("the embedded demo captures: the same code gives opposite durability verdicts", async () => {
  const sentences: Record<string, string> = {};
  for (const id of EMBEDDED) {
    const {page, failures} = await visit(browser, origin, `/captures/${id}/`, {ready: readyFor("/captures/")});
    assert.deepEqual(failures, [], id);
    sentences[id] = await page.locator('[data-finding="durability.fsync"]').innerText();
    await page.close();
  }
  assert.match(sentences["demo-fsync"], /target fsyncs/i);
  assert.match(sentences["demo-fsync"], /demo-validator's threads called fsync\/fdatasync [\d,]+ times in 15 s \([\d.]+\/s\)/);
  assert.match(sentences["demo-nofsync"], /target never fsyncs/i);
  assert.match(sentences["demo-nofsync"], /demo-validator's threads \(demo-validator\) called fsync\/fdatasync 0 times in 15 s/);
  // Recorded with a stall (1 MB blocks and triple hashing) in one second of every five: it
  // shows as block-I/O bursts and as a CPU phase every 5 s.
  const json = JSON.parse(readFileSync(join(dist, "captures", "demo-fsync", "findings.json"), "utf8"));
  const byId = Object.fromEntries(json.findings.map((f: {id: string}) => [f.id, f]));
  assert.ok(byId["latency.bursts"].metrics.bursts.length >= 1, byId["latency.bursts"].narrative);
  assert.equal(byId["cpu.phases"].metrics.period_s, 5, byId["cpu.phases"].narrative);
});

test("flame graph on 100k unique stacks: drawn, zoom and search work", async () => {
  const {page, failures} = await visit(browser, origin, "/captures/big/oncpu", {ready: ".flamegraph canvas", timeout: 120_000});
  assert.deepEqual(failures, []);
  const canvas = page.locator(".flamegraph canvas");
  assert.equal(await canvas.getAttribute("data-focus"), "");
  // Click the second row (the child of the root "all"): the zoom focuses it.
  await canvas.click({position: {x: 100, y: 18 + 9}});
  assert.equal(await canvas.getAttribute("data-focus"), "main");
  // The first view's tree is drawn first; the whole tree replaces it, keeping the zoom.
  await page.waitForSelector(".flamegraph[data-complete]", {timeout: 60_000});
  assert.equal(await canvas.getAttribute("data-focus"), "main");
  await page.locator(".flamegraph button").click();
  assert.equal(await canvas.getAttribute("data-focus"), "");
  await page.locator(".flamegraph input").fill("^leaf_4242$");
  const matched = Number(await page.locator(".flamegraph-status").getAttribute("data-matched"));
  assert.ok(matched >= 1 && matched <= 5, `one stack matches: ${matched}`);
  await page.locator(".flamegraph input").fill("blake3::");
  const text = await page.locator(".flamegraph-status").innerText();
  assert.match(text, /samples match \(\d+\.\d%\)/);
  await page.close();
});

test("on-CPU over time: the demo's sub-second heat map; a selected range redraws the flame graph from its samples and lives in the URL", async () => {
  // The samples per range, counted here in SQL from the converted tables, not by the page's code.
  const tables = join(tempDir("heat"), "t");
  await convertToParquet(join("data", "captures", "demo-fsync"), tables);
  const db = await openTables(tables);
  const inRange = async (from: number, to: number) => Number((await db.query(`SELECT count(*) AS n FROM oncpu_samples WHERE t_s >= ${from} AND t_s < ${to}`))[0].n);
  const [{seconds, total}] = await db.query(`SELECT floor(max(t_s))::INTEGER + 1 AS seconds, count(*) AS total FROM oncpu_samples`);
  const {page, failures} = await visit(browser, origin, "/captures/demo-fsync/oncpu", {ready: ".subsecond-heatmap canvas"});
  assert.deepEqual(failures, []);
  const heading = () => page.locator("h3", {hasText: /: [\d,]+ samples$/}).innerText();
  assert.equal(await heading(), `The whole profile: ${Number(total).toLocaleString("en-US")} samples`);
  const canvas = page.locator(".subsecond-heatmap canvas");
  const box = (await canvas.boundingBox())!;
  const cell = {w: box.width / Number(seconds), h: (box.height - 18) / 50};
  // Second 5, from its first slice to its last: the range 5.00–6.00 s.
  await canvas.click({position: {x: 5.5 * cell.w, y: cell.h / 2}});
  await canvas.click({position: {x: 5.5 * cell.w, y: 49.5 * cell.h}});
  await page.waitForFunction(() => location.search.includes("from="));
  assert.match(page.url(), /\?from=5\.00&to=6\.00$/);
  assert.equal(await heading(), `5.00–6.00 s: ${(await inRange(5, 6)).toLocaleString("en-US")} samples`);
  assert.ok((await page.locator(".flamegraph canvas").count()) >= 2, "the range's flame graph is drawn");
  // A link with a range opens on it.
  await page.goto(`${origin}/captures/demo-fsync/oncpu?from=0.40&to=2.20`);
  await page.locator("h3", {hasText: /^0\.40–2\.20 s/}).waitFor();
  assert.equal(await heading(), `0.40–2.20 s: ${(await inRange(0.4, 2.2)).toLocaleString("en-US")} samples`);
  await page.locator(".subsecond-heatmap button").click();
  await page.locator("h3", {hasText: /^The whole profile/}).waitFor();
  assert.doesNotMatch(page.url(), /from=/);
  db.close();
  await page.close();
});

test("qfc-t1 flame graph: searching blake3:: matches 935 of 1987 samples", {skip: hasReference ? false : "no ../shared"}, async () => {
  const {page, failures} = await visit(browser, origin, "/captures/qfc-t1/oncpu", {ready: ".flamegraph canvas"});
  assert.deepEqual(failures, []);
  await page.locator(".flamegraph input").fill("blake3::");
  assert.equal(await page.locator(".flamegraph-status").innerText(), "935 of 1,987 samples match (47.1%)");
  await page.close();
});

test("qfc-t1 off-CPU flame graph: 90 s blocked in all, futex and network as coloured classes, no tracing frame shown", {skip: hasReference ? false : "no ../shared"}, async () => {
  const {page, failures} = await visit(browser, origin, "/captures/qfc-t1/offcpu", {ready: ".flamegraph canvas"});
  assert.deepEqual(failures, []);
  const canvas = page.locator(".flamegraph canvas");
  const tip = page.locator(".flamegraph-tooltip");
  await canvas.hover({position: {x: 5, y: 9}});
  assert.equal(await tip.innerText(), "all — 89,996,291 µs (100.0%)");
  // Classes sit under the root, widest first: futex, then network.
  await canvas.hover({position: {x: 5, y: 18 + 9}});
  const futex = /^futex — ([\d,]+) µs \(([\d.]+)%\)$/.exec(await tip.innerText());
  assert.ok(futex && Math.abs(Number(futex[1].replaceAll(",", "")) / 1e6 - 75) < 1, `futex ≈ 75 s: ${futex?.[0]}`);
  const box = (await canvas.boundingBox())!;
  await canvas.hover({position: {x: box.width * (Number(futex![2]) / 100) + 5, y: 18 + 9}});
  const network = /^network — ([\d,]+) µs/.exec(await tip.innerText());
  assert.ok(network && Math.abs(Number(network[1].replaceAll(",", "")) / 1e6 - 15) < 1, `network ≈ 15 s: ${network?.[0]}`);
  assert.match(await page.locator(".flamegraph-legend").innerText(), /futex\s*network\s*disk\s*sleep\s*poll\s*other/);
  await page.locator(".flamegraph input").fill("^(perf_trace_|__traceiter_|__bpf_trace_|bpf_trace_run)");
  assert.match(await page.locator(".flamegraph-status").innerText(), /^0 µs of 89,996,291 µs match/);
  await page.locator(".flamegraph input").fill("__schedule");
  assert.match(await page.locator(".flamegraph-status").innerText(), /^89,996,291 µs of 89,996,291 µs match \(100\.0%\)/, "the stacks themselves are kept");
  await page.close();
});

test("compare: the two demo captures side by side, verdicts changed, with overlays and a differential flame graph", async () => {
  const {page, failures} = await visit(browser, origin, "/compare", {ready: ".flamegraph canvas, main p"});
  assert.deepEqual(failures, []);
  await page.locator("select").nth(0).selectOption({label: "demo-fsync"});
  await page.locator("select").nth(1).selectOption({label: "demo-nofsync"});
  // The table first shows the default pair; wait for the one selected.
  const row = page.locator("main table tr", {hasText: "Durability: who calls fsync"}).filter({hasText: "verdict"}).filter({hasText: "target never fsyncs"});
  await row.first().waitFor();
  assert.match(await row.first().innerText(), /target fsyncs\s+target never fsyncs\s+changed/);
  const calls = await page.locator("main table tr", {hasText: "target_fsync_calls"}).first().innerText();
  assert.match(calls, /[\d,]+\s+0\s+-100\.0%/);
  assert.ok((await page.locator("main :is(svg, canvas)").count()) >= 2, "overlay chart and flame graph");
  await page.close();
});

test("the index: a matrix of bundles × findings, sortable and filterable, markup inert", async () => {
  const {page, failures} = await visit(browser, origin, "/", {ready: readyFor("/")});
  assert.deepEqual(failures, []);
  const cell = page.locator('tr[data-bundle="demo-fsync"] td[data-finding="durability.fsync"]');
  assert.match(await cell.locator(".badge").innerText(), /target fsyncs/);
  assert.match((await cell.getAttribute("title"))!, /^From 01-fsync-latency\.txt \(bpfbook fsync\.bt, 15 s\): demo-validator's threads called/);
  // The number behind the verdict is the finding's headline, from findings.json.
  const json = JSON.parse(readFileSync(join(dist, "captures", "demo-fsync", "findings.json"), "utf8"));
  assert.equal(await cell.locator(".headline").innerText(), json.findings.find((f: {id: string}) => f.id === "durability.fsync").headline);
  assert.match(await page.locator('tr[data-bundle="hostile"]').innerText(), /<b>validator<\/b>/);
  assert.equal(await page.evaluate(() => document.querySelectorAll("main img, main b, [onload], [onerror]").length), 0);
  assert.doesNotMatch(await page.locator("main").innerText(), /\bnull\b/, "no stray null on the page");
  const order = () => page.locator(".fleet-matrix tbody tr:not([hidden])").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.bundle));
  const all = await order();
  assert.deepEqual([...all].sort(), all, "sorted by bundle at first");
  // Sorting by durability puts the most severe verdict first: demo-nofsync's warning.
  await page.locator('.fleet-matrix th[data-key="durability.fsync"] button').click();
  assert.equal((await order())[0], "demo-nofsync");
  assert.equal(await page.locator('.fleet-matrix th[data-key="durability.fsync"]').getAttribute("aria-sort"), "descending");
  await page.locator(".fleet-filter").fill("nofsync");
  assert.deepEqual(await order(), ["demo-nofsync"]);
  assert.match(await page.locator(".fleet-count").innerText(), new RegExp(`^1 of ${all.length} bundles$`));
  await page.locator(".fleet-filter").fill("");
  // By severity: exactly the rows holding a cell at that level or above.
  for (const [level, cells] of [["warning", '[data-severity="warning"], [data-severity="critical"]'], ["critical", '[data-severity="critical"]']]) {
    const expected = await page.locator(".fleet-matrix tbody tr").evaluateAll((rows, sel) => rows.filter((r) => r.querySelector(sel)).map((r) => (r as HTMLElement).dataset.bundle), cells);
    await page.locator(".fleet-severity").selectOption(level);
    assert.deepEqual((await order()).sort(), expected.sort(), level);
    assert.ok(expected.includes("demo-nofsync") || level === "critical");
  }
  await page.close();
});

test("the analyst's example finding (docs/analysis.md) is in findings.json, on the summary, the home matrix and compare", async () => {
  const json = JSON.parse(readFileSync(join(dist, "captures", "demo-fsync", "findings.json"), "utf8"));
  const mine = json.findings.find((f: {id: string}) => f.id === "example.busiest_thread");
  assert.ok(mine, "in findings.json");
  assert.equal(json.findings.at(-1).id, "example.busiest_thread", "after the built-in findings");
  const {page, failures} = await visit(browser, origin, "/captures/demo-fsync/", {ready: readyFor("/captures/")});
  assert.deepEqual(failures, []);
  const card = page.locator('[data-finding="example.busiest_thread"]');
  assert.equal(await card.locator(".narrative").innerText(), mine.narrative);
  assert.equal(await card.getAttribute("data-verified"), "true", "the browser recomputed the same finding");
  assert.ok((await card.locator(":is(svg, canvas)").count()) > 0, "its chart is drawn");
  await page.goto(`${origin}/`);
  assert.match(await page.locator('tr[data-bundle="demo-fsync"] td[data-finding="example.busiest_thread"] .badge').innerText(), new RegExp(mine.verdict));
  await page.close();
});

test("explore: ?sql= runs the query in the URL; results, a chart, errors as text; the editor's query goes into the URL", async () => {
  const {page, failures} = await visit(browser, origin, "/captures/demo-fsync/explore?sql=SELECT%206*7%20AS%20answer", {ready: "main table"});
  assert.deepEqual(failures, []);
  assert.match(await page.locator("main table").innerText(), /answer\s+42/);
  // A query over stacks, against the count DuckDB gives in Node from the same tables.
  const tables = join(tempDir("explore"), "t");
  await convertToParquet(join("data", "captures", "demo-fsync"), tables);
  const db = await openTables(tables);
  const [{n}] = await db.query("SELECT count(*) AS n FROM stacks WHERE unit = 'samples'");
  db.close();
  await page.locator("main textarea").fill("SELECT unit, count(*) AS n FROM stacks GROUP BY unit ORDER BY unit");
  await page.locator("main textarea").press("Control+Enter");
  await page.waitForFunction(() => /GROUP/.test(decodeURIComponent(location.search.replaceAll("+", " "))));
  await page.locator("main table", {hasText: "samples"}).waitFor();
  assert.match(await page.locator("main table tr", {hasText: "samples"}).innerText(), new RegExp(`samples\\s+${Number(n).toLocaleString("en-US")}`));
  assert.ok((await page.locator("main :is(svg, canvas)").count()) > 0, "a chart for a text column and a number");
  // The URL reproduces it.
  const link = page.url();
  await page.goto(link);
  await page.locator("main table tr", {hasText: "samples"}).waitFor();
  await page.goto(`${origin}/captures/demo-fsync/explore?sql=${encodeURIComponent("SELECT * FROM no_such_table")}`);
  await page.locator(".query-error").waitFor();
  assert.match(await page.locator(".query-error").innerText(), /no_such_table/);
  // Every example the page offers runs in duckdb-wasm (those over stacks join `frames`),
  // and the leaf-frame one names the same hottest leaf DuckDB names in Node.
  const examples = await page.locator('main a[href^="?sql="]').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
  assert.ok(examples.length >= 7, `${examples.length} examples`);
  for (const href of examples) {
    await page.goto(href);
    await page.locator("main :is(table, .query-error)").first().waitFor();
    assert.equal(await page.locator(".query-error").count(), 0, `${decodeURIComponent(href)}: ${await page.locator(".query-error").allInnerTexts()}`);
  }
  const sqlOf = (href: string) => new URL(href).searchParams.get("sql")!;
  const leaves = examples.find((h) => sqlOf(h).includes("frame_ids[-1]") && sqlOf(h).includes("oncpu_stacks"))!;
  const node = await openTables(tables);
  const [top] = await node.query(sqlOf(leaves));
  node.close();
  await page.goto(leaves);
  await page.locator("main table").waitFor();
  const shown = await page.locator("main table").innerText();
  assert.ok(shown.includes(String(top.leaf)) && shown.includes(Number(top.samples).toLocaleString("en-US")), `${top.leaf} ${top.samples} in ${shown.slice(0, 300)}`);
  await page.close();
});

test("sql cells: a page shows the query it ran, and its chart is drawn from the result", async () => {
  const {page, failures} = await visit(browser, origin, "/captures/demo-fsync/durability", {ready: readyFor("/captures/demo-fsync/durability")});
  assert.deepEqual(failures, []);
  // The echoed cell (the cards' SQL sits in closed <details>, not shown).
  const shown = await page.locator('main pre[data-language="sql"]', {hasText: "FROM fsync_calls"}).first().innerText();
  assert.match(shown, /SELECT t_s, thread AS series, sum\(calls\)::DOUBLE AS value/);
  assert.ok((await page.locator("main h2:has-text('Calls over time') ~ * :is(svg, canvas)").count()) > 0, "the chart from the cell's rows");
  await page.close();
});

test("compare narrates: per finding what changed, verdict changes first", async () => {
  const {page, failures} = await visit(browser, origin, "/compare", {ready: ".flamegraph canvas, main p"});
  assert.deepEqual(failures, []);
  await page.locator("select").nth(0).selectOption({label: "demo-fsync"});
  await page.locator("select").nth(1).selectOption({label: "demo-nofsync"});
  const first = page.locator("ul.changes li").first();
  await page.locator('ul.changes li[data-finding="durability.fsync"]', {hasText: "never"}).waitFor();
  assert.equal(await first.getAttribute("data-finding"), "durability.fsync");
  assert.equal(await first.getAttribute("data-change"), "verdict");
  assert.match(await first.innerText(), /Verdict changed: target fsyncs → target never fsyncs \(info → warning\)/);
  const kinds = await page.locator("ul.changes li").evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.change));
  assert.deepEqual(kinds, [...kinds].sort((a, b) => Number(b === "verdict") - Number(a === "verdict")), "verdict changes first");
  assert.ok(await page.locator('ul.changes li[data-finding="example.busiest_thread"]').count(), "the analyst's finding is compared too");
  await page.close();
});

test("flame graph: zoom and search live in the URL, and a link reopens them", async () => {
  const {page, failures} = await visit(browser, origin, "/captures/demo-fsync/oncpu", {ready: ".flamegraph[data-complete] canvas"});
  assert.deepEqual(failures, []);
  const graph = page.locator(".flamegraph").first();
  await graph.locator("input[type=search]").fill("demo");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("flame-search") === "demo");
  const matched = await graph.locator(".flamegraph-status").getAttribute("data-matched");
  assert.ok(Number(matched) > 0);
  await graph.locator("canvas").click({position: {x: 20, y: 18 + 9}});
  await page.waitForFunction(() => new URLSearchParams(location.search).has("flame-focus"));
  const focus = await graph.locator("canvas").getAttribute("data-focus");
  assert.ok(focus, "zoomed into a frame");
  await page.goto(page.url());
  const again = page.locator(".flamegraph").first();
  await page.locator(".flamegraph[data-complete] canvas").first().waitFor();
  assert.equal(await again.locator("input[type=search]").inputValue(), "demo");
  assert.equal(await again.locator(".flamegraph-status").getAttribute("data-matched"), matched);
  assert.equal(await again.locator("canvas").getAttribute("data-focus"), focus);
  await page.close();
});

test("print: a findings report prints without the page's navigation and controls, its SQL open", async () => {
  const {page, failures} = await visit(browser, origin, "/captures/demo-fsync/", {ready: readyFor("/captures/")});
  assert.deepEqual(failures, []);
  await page.emulateMedia({media: "print"});
  const shown = (selector: string) => page.locator(selector).first().evaluate((e) => getComputedStyle(e).display !== "none");
  assert.equal(await shown("#observablehq-sidebar"), false);
  assert.equal(await shown(".finding details pre"), true);
  assert.equal(await shown(".finding .narrative"), true);
  assert.ok((await page.pdf()).length > 10_000, "a PDF is made");
  await page.close();
});

test("thread names with markup render as text, never as elements", async () => {
  const {page, failures} = await visit(browser, origin, "/captures/hostile/", {ready: readyFor("/captures/")});
  assert.deepEqual(failures, []);
  const sentence = await page.locator('[data-finding="durability.fsync"] .narrative').innerText();
  assert.match(sentence, /^From 01-fsync-latency\.txt \(bpfbook fsync\.bt\): <b>validator<\/b>'s threads called fsync\/fdatasync 5 times .*: <svg\/onload=1> 5\./);
  assert.match(sentence, /<img src=x onerror=alert\(1\)> 3 times/);
  assert.equal(await page.locator("main img, main b, main svg[onload]").count(), 0);
  assert.equal(await page.evaluate(() => document.querySelectorAll("[onload], [onerror]").length), 0);
  await page.close();
  // Frames with markup: drawn on canvas and shown in tooltips as text.
  const oncpu = await visit(browser, origin, "/captures/hostile/oncpu", {ready: ".flamegraph canvas"});
  assert.deepEqual(oncpu.failures, []);
  await oncpu.page.locator(".flamegraph canvas").hover({position: {x: 300, y: 3 * 18 + 9}});
  assert.match(await oncpu.page.locator(".flamegraph-tooltip").innerText(), /<img src=x onerror=alert\(1\)> — 5 samples/);
  assert.match(await oncpu.page.locator("main").innerText(), /<img src=x onerror=alert\(1\)>/, "top frames table shows it as text");
  assert.equal(await oncpu.page.evaluate(() => document.querySelectorAll("main img, [onload], [onerror]").length), 0);
  await oncpu.page.close();
  const json = readFileSync(join(dist, "captures", "hostile", "findings.json"), "utf8");
  assert.ok(json.includes("<img src=x onerror=alert(1)>") && JSON.parse(json), "findings.json holds the name as a JSON string");
});

/** Elements, attributes or scripts the hostile fixtures would create if their text were parsed. */
function injectedMarkup(page: import("playwright-core").Page): Promise<string[]> {
  return page.evaluate(() => [
    ...Array.from(document.querySelectorAll("img[src='x'], [onload], [onerror], main b, main svg[onload], main iframe, main a[href^='javascript']"), (e) => e.outerHTML.slice(0, 80)),
    ...Array.from(document.scripts, (s) => s.textContent ?? "").filter((t) => t.includes("alert(1)"))
  ]);
}

test("test of the test: a page that throws, a failing query and an off-origin request each fail the check", async () => {
  const path = hasReference ? "/captures/qfc-t1/" : "/captures/hostile/";
  const inject = (snippet: string): Override => (url, file) =>
    url === path && file ? readFileSync(file, "utf8").replace("</body>", `${snippet}</body>`) : undefined;
  const cases: [string, Override, RegExp][] = [
    ["throws", inject(`<script type="module">throw new Error("injected failure")</script>`), /injected failure/],
    ["failing query", (url) => (/\/_file\/captures\/[^/]+\/values\.[0-9a-f]+\.parquet/.test(url) ? Buffer.from("not parquet") : undefined), /error/i],
    ["off-origin request", inject(`<img src="https://cdn.example.invalid/x.png">`), /request off the origin: https:\/\/cdn\.example\.invalid/]
  ];
  try {
    sabotage = inject(`<img src=x onerror="alert(1)">`);
    const injected = await visit(browser, origin, path, {ready: readyFor(path), timeout: 15_000, fresh: true});
    assert.ok((await injectedMarkup(injected.page)).length > 0, "markup parsed from a capture would be caught");
    assert.ok(injected.failures.some((f) => f.startsWith("dialog opened")), "and so would the alert it opens");
    await injected.page.close();
    for (const [name, override, expected] of cases) {
      sabotage = override;
      // A fresh cache: the sabotaged file must be fetched, not read from an earlier visit.
      const {page, failures} = await visit(browser, origin, path, {ready: readyFor(path), timeout: 15_000, fresh: true});
      assert.ok(failures.some((f) => expected.test(f)), `${name}: expected a failure matching ${expected}, got ${JSON.stringify(failures)}`);
      await page.close();
    }
  } finally {
    sabotage = undefined;
  }
});

test("a bundle with a file that is not bpftrace output is named (file and line) and left out; the others still build", () => {
  const captures = tempDir("bad");
  mkdirSync(join(captures, "broken"));
  cpSync(join("test", "fixtures", "hostile", "00-context.txt"), join(captures, "broken", "00-context.txt"));
  writeFileSync(join(captures, "broken", "01-fsync-latency.txt"), "time,value\n1,2\n");
  cpSync(join("data", "captures", "demo-nofsync"), join(captures, "good"), {recursive: true});
  const out = tempDir("bad-dist");
  const result = build(captures, out);
  assert.equal(result.status, 0, result.stderr.slice(-3000));
  assert.match(result.stderr, /bundle broken not built: .*broken\/01-fsync-latency\.txt:1: not bpftrace output/);
  const built = pages(out);
  assert.ok(built.includes("/captures/good/"), "the good bundle is built");
  assert.ok(!built.some((p) => p.startsWith("/captures/broken")), "the broken one is not");
  const failed = readdirSync(join(out, "_file")).find((f) => /^failed\.[0-9a-f]+\.json$/.test(f));
  assert.ok(failed, "the home page's list of bundles not built");
  assert.deepEqual(JSON.parse(readFileSync(join(out, "_file", failed), "utf8")).map((f: {id: string}) => f.id), ["broken"]);
});

// A fleet of N bundles end to end (#17): cold build, unchanged rebuild, dist/ size, the home
// page's matrix in Chromium, then `npm run export` of every bundle and two fleet questions
// asked of the exported tree with DuckDB ("which hosts never fsync", "block-I/O p99 by
// host": loaders/export.ts FLEET_QUERIES, the queries docs/scale.md shows). Bundles are the two embedded captures, copied
// with a host name each (so each converts on its own, as real hosts would).
import {DuckDBInstance} from "@duckdb/node-api";
import {cpSync, readFileSync, readdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {FLEET_QUERIES, exportBundles} from "../loaders/export.js";
import {build, median, openSite, sizeOf} from "./site.js";

export interface FleetRow {
  bundles: number;
  coldSeconds: number;
  unchangedSeconds: number;
  distMB: number;
  perBundleMB: number;
  homeMs: number;
  exportSeconds: number;
  neverFsyncMs: number;
  neverFsyncHosts: number;
  p99Ms: number;
  p99Hosts: number;
}

export async function benchFleet(work: string, n: number, runs: number, log: (s: string) => void): Promise<FleetRow> {
  const captures = join(work, `fleet-${n}`);
  const cache = join(work, `fleet-cache-${n}`);
  const dist = join(work, `fleet-dist-${n}`);
  for (let i = 0; i < n; i++) {
    const host = `host-${String(i + 1).padStart(4, "0")}`;
    const dir = join(captures, host);
    cpSync(join("data", "captures", i % 2 ? "demo-nofsync" : "demo-fsync"), dir, {recursive: true});
    const context = join(dir, "00-context.txt");
    writeFileSync(context, readFileSync(context, "utf8").replace("Linux vm ", `Linux ${host} `));
  }
  log(`fleet of ${n}: cold build…`);
  const coldSeconds = build(captures, dist, cache);
  log(`fleet of ${n}: unchanged rebuild…`);
  const unchangedSeconds = build(captures, dist, cache);
  const distBytes = sizeOf(dist);
  const perBundle = readdirSync(captures).map((id) => sizeOf(join(dist, "captures", id)) + sizeOf(join(dist, "_file", "captures", id)));

  log(`fleet of ${n}: home page…`);
  const site = await openSite(dist);
  const {origin, browser} = site;
  const loads: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction((count) => document.querySelector(".fleet")?.getAttribute("data-visible") === String(count) && document.querySelector(".fleet-matrix tbody tr") !== null, n, {timeout: 300_000, polling: 50});
      loads.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
  } finally {
    await site.close();
  }

  log(`fleet of ${n}: export…`);
  process.env.BPFBOOK_CACHE = cache; // the build's conversions
  const tree = join(work, `fleet-export-${n}`);
  const started = performance.now();
  await exportBundles(readdirSync(captures).map((id) => join(captures, id)), tree);
  const exportSeconds = (performance.now() - started) / 1000;

  log(`fleet of ${n}: fleet questions in DuckDB…`);
  const timings: Record<keyof typeof FLEET_QUERIES, {ms: number[]; rows: number}> = {neverFsync: {ms: [], rows: 0}, p99ByHost: {ms: [], rows: 0}};
  for (let run = 0; run < runs; run++) {
    // A fresh database each run: nothing cached between them.
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    for (const [name, sql] of Object.entries(FLEET_QUERIES) as [keyof typeof FLEET_QUERIES, (tree: string) => string][]) {
      const t = performance.now();
      const rows = (await connection.runAndReadAll(sql(tree))).getRowObjectsJS();
      timings[name].ms.push(performance.now() - t);
      timings[name].rows = rows.length;
    }
    connection.closeSync();
    instance.closeSync();
  }
  return {
    bundles: n,
    coldSeconds,
    unchangedSeconds,
    distMB: distBytes / 1e6,
    perBundleMB: perBundle.reduce((a, b) => a + b, 0) / perBundle.length / 1e6,
    homeMs: median(loads),
    exportSeconds,
    neverFsyncMs: median(timings.neverFsync.ms),
    neverFsyncHosts: timings.neverFsync.rows,
    p99Ms: median(timings.p99ByHost.ms),
    p99Hosts: timings.p99ByHost.rows
  };
}

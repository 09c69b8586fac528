// What the site's pages read of each bundle, made from its converted tables: every file
// the Framework data loaders under src/captures/[bundle]/ write (BUNDLE_OUTPUTS), and
// the per-bundle pieces of the home and compare pages. The loaders call emit* (one
// output on stdout; errors name the bundle, file and line); a build computes them all
// ahead of Framework, several bundles at a time (scripts/precompute.ts).

import {readFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {capturesDir, failedBundles, isBundleId, siteBundles} from "./bundle.js";
import {sourceReport} from "./sources.js";
import {tablesFor} from "./cache.js";
import {cachedJson, findingsForTables, openTables} from "./findings/node.js";
import {sqlLiteral} from "./sql.js";
import {FRAME_NAMES, type Profile, TIMELINE_QUERIES, markKernel, offcpuFlameStacks, buildFlameTree, encodeFlameFile, encodeTimeline, findingSpec, frameNamer, profileOf, timelineOf} from "./findings/index.js";
import type {TableName} from "./model.js";

/** An open bundle database (openTables). */
export type TablesDb = Awaited<ReturnType<typeof openTables>>;

/** Runs `use` on `db` when given (a caller making many outputs of one bundle opens it once), else on a database opened and closed here. */
async function withDb<T>(dir: string, db: TablesDb | undefined, use: (db: TablesDb) => Promise<T>): Promise<T> {
  if (db) return use(db);
  const own = await openTables(dir);
  try {
    return await use(own);
  } finally {
    own.close();
  }
}

/** Writes what `make` builds from the `--bundle` bundle's tables to stdout, or fails naming the bundle. */
async function emitForBundle(argv: string[], make: (tables: string) => Promise<string | Buffer>): Promise<void> {
  const {values} = parseArgs({args: argv, options: {bundle: {type: "string"}}, strict: false});
  const bundle = String(values.bundle ?? "");
  try {
    if (!isBundleId(bundle)) throw new Error(`invalid bundle id '${bundle}'`);
    process.stdout.write(await make(await tablesFor(join(capturesDir(), bundle))));
  } catch (error) {
    process.stderr.write(`bpfbook: bundle ${bundle}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

export function emitTable(table: TableName, argv = process.argv.slice(2)): Promise<void> {
  return emitForBundle(argv, BUNDLE_OUTPUTS[`${table}.parquet`]);
}

/** The bundle's findings computed at build time, so a page can state them before DuckDB has loaded. */
export function emitFindings(argv = process.argv.slice(2)): Promise<void> {
  return emitForBundle(argv, BUNDLE_OUTPUTS["findings.json"]);
}

/**
 * The on-CPU stacks the flame graph draws (cpu.hotspots' stacks query), compact: each
 * distinct frame once, stacks as frame indexes. For the flame graph (`kernel`), kernel
 * frames are marked `_[k]`; the categories read the frames as captured.
 */
async function hotspotProfile(dir: string, {kernel = false, db}: {kernel?: boolean; db?: TablesDb} = {}): Promise<Profile> {
  const {stacks: sql, frames: framesSql} = findingSpec("cpu.hotspots").queries as Record<string, string>;
  const [rows, names] = await withDb(dir, db, async (db) => [await db.query(sql), await db.query(framesSql)] as const);
  const name = frameNamer(names);
  const frames = (r: (typeof rows)[number]) => (kernel ? markKernel(name(r.frame_ids), r.kernel_frames) : name(r.frame_ids));
  return profileOf(rows.map((r) => ({frames: frames(r), samples: Number(r.samples)})));
}

/** The profile as JSON, for the categories and top frames (drawn after the flame graph). */
export function emitProfile(argv = process.argv.slice(2)): Promise<void> {
  return emitForBundle(argv, BUNDLE_OUTPUTS["profile.json"]);
}

/**
 * The flame graph's call tree, merged at build time (encodeFlameFile: the first view's
 * part, then the whole): the page lays it out and draws, with no stacks to merge (100k
 * distinct stacks drew in 2 s from the JSON profile).
 */
export function emitFlameTree(argv = process.argv.slice(2)): Promise<void> {
  return emitForBundle(argv, BUNDLE_OUTPUTS["flame.bin"]);
}

/** Every timed on-CPU sample as a time and a stack (loaders/findings/timeline.ts), for the sub-second heat map and range flame graphs. */
export function emitTimeline(argv = process.argv.slice(2)): Promise<void> {
  return emitForBundle(argv, BUNDLE_OUTPUTS["timeline.bin"]);
}

async function timelineFile(dir: string, db?: TablesDb): Promise<Buffer> {
  return withDb(dir, db, async (db) => {
    const samples = await db.query(TIMELINE_QUERIES.samples);
    const stacks = await db.query(TIMELINE_QUERIES.stacks);
    return Buffer.from(encodeTimeline(timelineOf(samples, stacks, await db.query(TIMELINE_QUERIES.frames))));
  });
}

/** The tables the bundle pages load (each has a loader src/captures/[bundle]/<table>.parquet.ts). */
export const SITE_TABLES: TableName[] = ["captures", "context", "events", "frames", "histograms", "messages", "problems", "samples", "stacks", "values"];

/**
 * Every file a bundle's pages load, by name, made from its tables folder: what the data
 * loaders in src/captures/[bundle]/ write (test/site-outputs.test.ts keeps the two lists
 * the same), so a build can make them all ahead of Framework.
 */
export const BUNDLE_OUTPUTS: Record<string, (tables: string, db?: TablesDb) => Promise<string | Buffer>> = {
  ...Object.fromEntries(SITE_TABLES.map((t) => [`${t}.parquet`, async (dir: string) => readFileSync(join(dir, `${t}.parquet`))])),
  "findings.json": async (dir, db) => JSON.stringify(await findingsForTables(dir, db)),
  "profile.json": async (dir, db) => JSON.stringify(await hotspotProfile(dir, {db})),
  "flame.bin": async (dir, db) => Buffer.from(encodeFlameFile(buildFlameTree(await hotspotProfile(dir, {kernel: true, db})))),
  "timeline.bin": timelineFile
};

export interface BundleSummary {
  id: string;
  target: string | null;
  host: string | null;
  files: number;
  problems: number;
  /** Every finding's verdict and the number behind it, for the home page's matrix. */
  headlines: {id: string; title: string; severity: string; verdict: string; narrative: string; headline: string | null; conclusive: boolean}[];
}

/** A bundle's line on the home page: target, host, files, problem lines and every finding's verdict and number (cached beside its tables). */
export function bundleSummary(id: string, tables: string, shared?: TablesDb): Promise<BundleSummary> {
  return cachedJson(tables, `summary-${id}`, () =>
    withDb(tables, shared, async (db) => {
      const [row] = await db.query(
        `SELECT any_value(target) AS target, any_value(host) AS host, count(*)::INTEGER AS files, sum(problem_lines)::INTEGER AS problems FROM captures`
      );
      const findings = await findingsForTables(tables, db);
      return {
        id,
        target: row.target as string | null,
        host: row.host as string | null,
        files: Number(row.files),
        problems: Number(row.problems),
        headlines: findings.map(({id, title, severity, verdict, narrative, headline, conclusive}) => ({id, title, severity, verdict, narrative, headline, conclusive}))
      };
    })
  );
}

/** One entry per bundle under the captures folder, with its headline findings, for the home page. */
export async function bundleSummaries(dir = capturesDir()): Promise<BundleSummary[]> {
  const out: BundleSummary[] = [];
  for (const id of siteBundles(dir)) out.push(await bundleSummary(id, await tablesFor(join(dir, id))));
  return out;
}

/** What the compare page holds of one bundle: findings, overall block-I/O buckets, on-CPU and off-CPU profiles (the heaviest 20,000 stacks), rates over time (cached beside its tables). */
export function compareEntry(id: string, tables: string, shared?: TablesDb) {
  return cachedJson(tables, `compare-${id}`, () =>
    withDb(tables, shared, async (db) => {
      const findings = await findingsForTables(tables, db);
      // The file each finding read, as an SQL literal, so the overlays show what the findings state.
      const file = (id: string) => sqlLiteral(findings.find((f) => f.id === id)?.metrics.evidence_file as string | null | undefined);
      const bio = await db.query(`SELECT lo_us AS lo, hi_us AS hi, sum(count)::DOUBLE AS count FROM block_io_latency
        WHERE file = ${file("disk.latency")} AND class IS NULL GROUP BY ALL ORDER BY lo NULLS FIRST`);
      const name = frameNamer(await db.query(FRAME_NAMES));
      const stacks = (
        await db.query(`SELECT frame_ids, sum(samples)::DOUBLE AS samples, max(kernel_frames) AS kernel_frames FROM oncpu_stacks
        WHERE file = ${file("cpu.hotspots")} GROUP BY frame_ids ORDER BY samples DESC, frame_ids LIMIT 20000`)
      ).map((r) => ({frames: markKernel(name(r.frame_ids), r.kernel_frames), samples: Number(r.samples)}));
      // Each capture's rates by seconds from its own start, so two bundles line up by relative time.
      const fsync = await db.query(`SELECT t_s, sum(calls)::DOUBLE AS value FROM fsync_calls
        WHERE file = ${file("durability.fsync")} AND t_s IS NOT NULL GROUP BY t_s ORDER BY t_s`);
      const series = (fid: string) => (findings.find((f) => f.id === fid)?.metrics.series ?? []) as Record<string, number | null>[];
      const timeline = [
        ...fsync.map((r) => ({metric: "fsync calls", t_s: Number(r.t_s), value: Number(r.value)})),
        ...series("latency.bursts").flatMap((r) => [
          {metric: "block I/Os", t_s: Number(r.t_s), value: Number(r.ios)},
          {metric: "block I/O p99 (ms, bucket top)", t_s: Number(r.t_s), value: Number(r.p99_hi_us ?? r.p99_lo_us) / 1000}
        ]),
        ...series("cpu.phases").map((r) => ({metric: "on-CPU samples", t_s: Number(r.second), value: Number(r.samples)}))
      ];
      const offcpu = await db.query(`SELECT frame_ids, sum(us)::DOUBLE AS us, max(kernel_frames) AS kernel_frames FROM offcpu_stacks
        WHERE file = ${file("offcpu.breakdown")} GROUP BY frame_ids ORDER BY us DESC, frame_ids LIMIT 20000`);
      const offcpuStacks = offcpuFlameStacks(offcpu.map((r) => ({frames: name(r.frame_ids), us: Number(r.us), kernel_frames: r.kernel_frames as number | null})));
      // Compact for fleets: findings without their SQL and chart data (the compare page reads
      // verdicts and metrics), stacks as profiles (each distinct frame once).
      return {
        id,
        findings: findings.map(({sql: _sql, chart: _chart, ...rest}) => rest),
        bio,
        stacks: profileOf(stacks),
        offcpu: profileOf(offcpuStacks),
        timeline
      };
    })
  );
}

/** Per bundle, what the compare page holds of it. */
export async function compareData(dir = capturesDir()) {
  const out = [];
  for (const id of siteBundles(dir)) out.push(await compareEntry(id, await tablesFor(join(dir, id))));
  return out;
}

/**
 * Every file the site-wide data loaders (src/*.json.ts) write, by name: the home page's
 * bundles, failed bundles and declared sources, and the compare page's entries. A build
 * writes them into Framework's cache itself (scripts/precompute.ts), sparing a process each.
 */
export const SITE_OUTPUTS: Record<string, () => Promise<string>> = {
  "bundles.json": async () => JSON.stringify(await bundleSummaries()),
  "compare.json": async () => JSON.stringify(await compareData()),
  "failed.json": async () => JSON.stringify(Object.entries(failedBundles()).map(([id, reason]) => ({id, reason}))),
  "sources.json": async () => JSON.stringify(sourceReport())
};

/** A site-wide loader's output on stdout. */
export async function emitSiteOutput(name: keyof typeof SITE_OUTPUTS & string): Promise<void> {
  process.stdout.write(await SITE_OUTPUTS[name]());
}

// The reference bundle (../shared/captures/qfc-t1) through the whole Node path:
// parse → Parquet → DuckDB → findings. Every number here is stated in its SOURCE.md.
import assert from "node:assert/strict";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {convertToParquet, type ConvertSummary} from "../loaders/convert.js";
import {findingsForTables, openTables} from "../loaders/findings/node.js";
import type {Query} from "../loaders/findings/types.js";
import {REFERENCE, reconciles, tempDir} from "./helpers.js";
import {existsSync} from "node:fs";

const available = existsSync(REFERENCE);
if (!available && process.env.CI) throw new Error(`reference bundle missing at ${REFERENCE}; CI must have ../shared`);
const skip = available ? false : "../shared/captures/qfc-t1 not found (a user's clone)";

let out: string;
let summary: ConvertSummary;
let db: {query: Query; close(): void};
const one = async (sql: string) => Object.values((await db.query(sql))[0])[0];

before(async () => {
  if (!available) return;
  out = join(tempDir("ref"), "tables");
  summary = await convertToParquet(REFERENCE, out);
  db = await openTables(out);
});
after(() => db?.close());

test("every line of every file is accounted for, with zero problems", {skip}, async () => {
  for (const f of summary.files) assert.ok(reconciles(f), `${f.file} reconciles`);
  assert.equal(summary.files.reduce((s, f) => s + f.problem_lines, 0), 0);
  assert.equal(await one(`SELECT count(*) FROM problems`), 0);
  assert.equal(await one(`SELECT sum(lines) FROM captures`), 843);
});

test("block I/O: 2674 I/Os, two @bio_by_rwbs_us[W] series, 552,828,928 bytes", {skip}, async () => {
  assert.equal(await one(`SELECT sum(count) FROM histograms WHERE map = '@bio_latency_us'`), 2674);
  const series = await db.query(`SELECT series, sum(count) AS n FROM histograms WHERE map = '@bio_by_rwbs_us' AND key = 'W' GROUP BY series ORDER BY series`);
  assert.deepEqual(series.map((r) => [r.series, r.n]), [[1, 1200], [2, 1332]]);
  assert.equal(await one(`SELECT count(*) FROM "values" WHERE map = '@bytes_by_rwbs' AND key = 'W'`), 2);
  assert.equal(await one(`SELECT sum(value) FROM "values" WHERE map = '@bytes_by_rwbs'`), 552_828_928);
});

test("write(): 1,336,096 calls by thread equal the @lat_us write histogram's total", {skip}, async () => {
  const byThread = await one(`SELECT sum(value) FROM "values" WHERE map = '@op_by_thread' AND key_parts[-1] = 'tracepoint:syscalls:sys_enter_write'`);
  const hist = await one(`SELECT sum(count) FROM histograms WHERE map = '@lat_us' AND key = 'tracepoint:syscalls:sys_enter_write'`);
  assert.equal(byThread, 1_336_096);
  assert.equal(hist, 1_336_096);
  assert.deepEqual((await db.query(`SELECT key_parts FROM "values" WHERE key LIKE 'runc:[0:PARENT]%'`))[0].key_parts, [
    "runc:[0:PARENT]",
    "tracepoint:syscalls:sys_enter_write"
  ]);
  assert.equal(await one(`SELECT count(*) FROM "values" WHERE key_ambiguous`), 0);
});

test("on-CPU folded stacks: 489 stacks, 1987 samples, 935 through blake3::", {skip}, async () => {
  const [row] = await db.query(`SELECT count(*) AS stacks, sum(value) AS samples,
    sum(value) FILTER (WHERE list_has_any(frame_ids, (SELECT list(frame_id) FROM frames WHERE name LIKE 'blake3::%'))) AS blake3
    FROM stacks WHERE file = '05-oncpu.folded'`);
  assert.deepEqual(row, {stacks: 489, samples: 1987, blake3: 935});
});

test("off-CPU: stacks through futex sum to 74,998,577 µs; in-flight maps are marked bookkeeping", {skip}, async () => {
  assert.equal(await one(`SELECT sum(value) FROM stacks WHERE map = '@offcpu_us' AND list_has_any(frame_ids, (SELECT list(frame_id) FROM frames WHERE name LIKE '%futex%'))`), 74_998_577);
  const marked = await db.query(`SELECT DISTINCT map FROM (SELECT map, bookkeeping FROM "values" UNION ALL SELECT map, bookkeeping FROM stacks) WHERE bookkeeping ORDER BY map`);
  assert.deepEqual(marked.map((r) => r.map), ["@ks", "@off", "@start"]);
});

test("context: target, pid, threads, host, kernel, arch, OS and tools", {skip}, async () => {
  const [c] = await db.query(`SELECT DISTINCT target, pid, image, target_threads, host, kernel, arch, os, tools, context_missing FROM captures`);
  assert.deepEqual(c, {
    target: "qfc-node-1",
    pid: 2555487,
    image: "ghcr.io/qfc-network/qfc-core:staging-sha-8cf3cb0",
    target_threads: ["qfc-node", "tokio-rt-worker", "rocksdb:low", "rocksdb:high", "futures-timer"],
    host: "qfc-node",
    kernel: "6.17.0-1007-aws",
    arch: "aarch64",
    os: "Ubuntu 24.04.4 LTS",
    tools: ["bpftrace v0.20.2", "perf version 6.17.9"],
    context_missing: []
  });
});

test("durability.fsync: alloy called fsync 6 times, the target's threads none", {skip}, async () => {
  const [fsync] = (await findingsForTables(out)).filter((f) => f.id === "durability.fsync");
  assert.equal(fsync.metrics.target_fsync_calls, 0);
  assert.equal(fsync.metrics.other_fsync_calls, 6);
  assert.deepEqual(fsync.metrics.callers, [{thread: "alloy", calls: 6, target: false}]);
  assert.equal(fsync.verdict, "target never fsyncs");
  assert.match(fsync.narrative, /qfc-node-1's threads .* called fsync\/fdatasync 0 times/);
  assert.match(fsync.narrative, /alloy 6 times/);
});

// Findings on the reference bundle, brought in by fetch with the windows its SOURCE.md
// states: each number the published findings give, computed from the raw files.
import assert from "node:assert/strict";
import {existsSync} from "node:fs";
import {before, test} from "node:test";
import {tablesFor} from "../loaders/cache.js";
import {fetchBundle} from "../loaders/fetch.js";
import {findingsForTables} from "../loaders/findings/node.js";
import type {Finding} from "../loaders/findings/types.js";
import {REFERENCE, REFERENCE_WINDOWS, tempDir} from "./helpers.js";

const available = existsSync(REFERENCE);
if (!available && process.env.CI) throw new Error(`reference bundle missing at ${REFERENCE}; CI must have ../shared`);
const skip = available ? false : "../shared/captures/qfc-t1 not found (a user's clone)";

let byId: Record<string, Finding>;
before(async () => {
  if (!available) return;
  const {dir} = await fetchBundle(REFERENCE, {into: tempDir("findings"), windows: REFERENCE_WINDOWS});
  byId = Object.fromEntries((await findingsForTables(await tablesFor(dir))).map((f) => [f.id, f]));
});

test("durability.fsync: no fsync by the target's threads in 60 s; alloy 6 times", {skip}, () => {
  const f = byId["durability.fsync"];
  assert.equal(f.metrics.window_s, 60);
  assert.equal(f.metrics.target_fsync_calls, 0);
  assert.deepEqual(f.metrics.callers, [{thread: "alloy", calls: 6, target: false}]);
  assert.equal(f.metrics.evidence_file, "01-fsync-latency.txt", "the dedicated fsync capture answers, not the write-path counts");
  assert.equal(f.severity, "warning");
  assert.match(f.narrative, /called fsync\/fdatasync 0 times in 60 s/);
  assert.equal(f.metrics.fsync_io_wait_us, 0, "no io_schedule under an fsync path off-CPU");
  assert.match(f.narrative, /never blocked in io_schedule under an fsync path/);
});

test("cpu.hotspots: BLAKE3 in 935 of 1987 samples (47.1%) on its portable backend; log formatting 16.9%", {skip}, () => {
  const m = byId["cpu.hotspots"].metrics;
  assert.equal(m.samples, 1987);
  assert.equal(m.hash_samples, 935);
  assert.equal((Number(m.hash_share) * 100).toFixed(1), "47.1");
  assert.equal(m.log_format_samples, 335);
  assert.equal((Number(m.log_format_share) * 100).toFixed(1), "16.9");
  assert.equal(m.hash_backend_portable, true);
  assert.match(byId["cpu.hotspots"].narrative, /portable \(scalar\) backend .* aarch64 host where NEON should be used/);
});

test("logging.writes: about 20k write()/s by the target, mirrored by containerd-shim and dockerd", {skip}, () => {
  const m = byId["logging.writes"].metrics;
  assert.equal(m.target_writes, 503_799);
  assert.ok(Math.abs(Number(m.target_writes_per_s) - 20_152) < 1);
  assert.equal(m.container_logging_mirrored, true);
  assert.deepEqual(
    (m.runtime_writers as {thread: string; writes: number}[]).filter((r) => r.thread !== "containerd"),
    [{thread: "dockerd", writes: 568_914}, {thread: "containerd-shim", writes: 260_783}]
  );
  assert.equal(m.all_writes, 1_336_096);
});

test("disk.latency: 2674 I/Os, p99.9 in [32 ms, 64 ms), network block storage, ~9.2 MB/s", {skip}, () => {
  const m = byId["disk.latency"].metrics;
  assert.equal(m.ios, 2674);
  assert.deepEqual([m.p999_lo_us, m.p999_hi_us], [32 * 1024, 64 * 1024]);
  assert.ok(Number(m.p999_est_us) >= 32 * 1024 && Number(m.p999_est_us) < 64 * 1024, "the estimate lies in its bucket");
  assert.equal(m.latency_class, "network block storage");
  assert.equal(m.bytes, 552_828_928);
  assert.equal((Number(m.throughput_bytes_per_s) / 1e6).toFixed(1), "9.2");
  assert.equal(m.W_ios, 2532, "both @bio_by_rwbs_us[W] series count");
});

test("offcpu.breakdown: futex ≈ 75 s, network ≈ 15 s, no disk wait", {skip}, () => {
  const m = byId["offcpu.breakdown"].metrics;
  assert.equal(m.futex_us, 74_998_577);
  assert.equal(m.network_us, 14_997_714);
  assert.equal(m.disk_us, 0);
  assert.match(byId["offcpu.breakdown"].narrative, /futex 75 s, network 15 s; no disk wait/);
});

test("data.quality: every line accounted for, no problems", {skip}, () => {
  const m = byId["data.quality"].metrics;
  assert.equal(m.lines, 843);
  assert.equal(m.problem_lines, 0);
  assert.equal(m.lines_accounted_share, 1);
  assert.equal(m.unknown_windows, 0);
});

test("without windows, findings give counts and say the rate is unknown", {skip}, async () => {
  const {dir} = await fetchBundle(REFERENCE, {into: tempDir("nowin")});
  const f = Object.fromEntries((await findingsForTables(await tablesFor(dir))).map((x) => [x.id, x]));
  assert.equal(f["logging.writes"].metrics.target_writes_per_s, null);
  assert.match(f["logging.writes"].narrative, /503,799 write\(\) calls \(window unknown, so no rate\)/);
  assert.match(f["data.quality"].narrative, /have no known window/);
});


// Each finding's evaluation on small rows kept here (not only on ../shared): change the
// rows and the verdict, numbers and sentence change with them.
import assert from "node:assert/strict";
import {join} from "node:path";
import {test} from "node:test";
import {findingSpec} from "../loaders/findings/index.js";
import {withFrameIds} from "./helpers.js";

const fsync = findingSpec("durability.fsync");
const ev = (over: object = {}) => ({file: "f.txt", source: "syncsnoop.bt", kind: "fsync", window_s: 10, complete: true, ...over});
const target = [{target: "app", target_threads: ["app", "app-io"]}];
const none = {latency: [], ioWait: [{files: 0, us: 0}]};

test("durability.fsync: the target's calls, per second, from the file that answered", () => {
  const f = fsync.evaluate({evidence: [ev()], target, callers: [{file: "f.txt", thread: "app-io", calls: 40}, {file: "f.txt", thread: "cron", calls: 2}, {file: "other.txt", thread: "app", calls: 999}], ...none});
  assert.equal(f.verdict, "target fsyncs");
  assert.equal(f.metrics.target_fsync_calls, 40, "rows of another file are not added");
  assert.equal(f.metrics.target_fsync_per_s, 4);
  assert.match(f.narrative, /^From f\.txt \(syncsnoop\.bt, 10 s\): app's threads called fsync\/fdatasync 40 times in 10 s \(4\.0\/s\)/);
});

test("durability.fsync: an absence only from a complete source; a top-N list cannot tell", () => {
  const never = fsync.evaluate({evidence: [ev()], target, callers: [{file: "f.txt", thread: "cron", calls: 2}], ...none});
  assert.deepEqual([never.verdict, never.metrics.target_fsync_calls, never.severity], ["target never fsyncs", 0, "warning"]);
  const topN = fsync.evaluate({evidence: [ev({source: "bcc syscount", complete: false})], target, callers: [{file: "f.txt", thread: null, calls: 5}], ...none});
  assert.deepEqual([topN.verdict, topN.metrics.target_fsync_calls], ["cannot tell who fsyncs", null]);
  const empty = fsync.evaluate({evidence: [ev({complete: false})], target, callers: [], ...none});
  assert.equal(empty.verdict, "cannot tell");
});

test("durability.fsync: system-wide counts, no target named, no evidence", () => {
  const wide = fsync.evaluate({evidence: [ev({source: "bcc syncsnoop"})], target, callers: [{file: "f.txt", thread: null, calls: 7}], ...none});
  assert.deepEqual([wide.verdict, wide.metrics.target_fsync_calls], ["cannot tell who fsyncs", null]);
  const anonymous = fsync.evaluate({evidence: [ev()], target: [{target: null, target_threads: []}], callers: [{file: "f.txt", thread: "db", calls: 3}], ...none});
  assert.equal(anonymous.verdict, "fsync callers");
  assert.match(anonymous.narrative, /No target was named/);
  const missing = fsync.evaluate({evidence: [], target, callers: [], ...none});
  assert.equal(missing.verdict, "no fsync capture");
});

test("disk.latency: exact percentiles from events; classes summed when only per-disk rows exist", () => {
  const disk = findingSpec("disk.latency");
  const events = [100, 200, 300, 4000].map((us) => ({file: "b.txt", class: "all", lo: us, hi: us, count: 1, exact: true}));
  const f = disk.evaluate({evidence: [{file: "b.txt", source: "biosnoop", window_s: 2}], buckets: events, bytes: [{file: "b.txt", bytes: 4e6}]});
  assert.equal(f.metrics.exact, true);
  assert.equal(f.metrics.p50_lo_us, 200);
  assert.equal(f.metrics.max_hi_us, 4000);
  assert.equal(f.verdict, "SSD or virtual disk");
  assert.match(f.narrative, /exact, from 4 events/);
  assert.equal(f.metrics.throughput_bytes_per_s, 2e6);
  const perDisk = disk.evaluate({
    evidence: [{file: "d.txt", source: "bcc biolatency", window_s: null}],
    buckets: [
      {file: "d.txt", class: "sda", lo: 1024, hi: 2048, count: 3, exact: false},
      {file: "d.txt", class: "sdb", lo: 1024, hi: 2048, count: 2, exact: false}
    ],
    bytes: []
  });
  assert.deepEqual([perDisk.metrics.ios, perDisk.verdict], [5, "network block storage"]);
});

test("logging.writes, offcpu.breakdown, cpu.hotspots: from rows", () => {
  const logging = findingSpec("logging.writes").evaluate({
    evidence: [{file: "s.txt", source: "bpfbook syscalls.bt", window_s: 10, complete: true}],
    writes: [{file: "s.txt", thread: "app", writes: 1000}, {file: "s.txt", thread: "dockerd", writes: 900}],
    context: [{target: "app", target_threads: ["app"]}]
  });
  assert.deepEqual([logging.verdict, logging.metrics.target_writes_per_s], ["logging mirrored by the container runtime", 100]);
  const blind = findingSpec("logging.writes").evaluate({evidence: [{file: "c.txt", source: "syscount.bt", window_s: null, complete: false}], writes: [], context: [{target: "app", target_threads: ["app"]}]});
  assert.deepEqual([blind.verdict, blind.metrics.target_writes], ["cannot tell", null]);
  const offStacks = withFrameIds([{file: "o.txt", frames: ["app", "futex_wait", "schedule"], us: 3e6}, {file: "o.txt", frames: ["app", "io_schedule"], us: 1e6}]);
  const offcpu = findingSpec("offcpu.breakdown").evaluate({files: [{file: "o.txt", source: "bcc offcputime", window_s: 5}], stacks: offStacks.rows, frames: offStacks.frames});
  assert.deepEqual([offcpu.metrics.futex_us, offcpu.metrics.disk_us, offcpu.verdict, offcpu.severity], [3e6, 1e6, "mostly futex", "warning"]);
  const onStacks = withFrameIds([{frames: ["main", "blake3::portable::compress"], samples: 30}, {frames: ["main", "work"], samples: 70}]);
  const cpu = findingSpec("cpu.hotspots").evaluate({context: [{file: "p.folded", source: "folded stacks", window_s: 10, arch: "x86_64"}], stacks: onStacks.rows, frames: onStacks.frames});
  assert.deepEqual([cpu.metrics.hash_share, cpu.verdict], [0.3, "hashing on its scalar backend"]);
});

test("each finding owns its headline and chart: data, drawn by any page the same way", () => {
  const rows = {evidence: [ev()], target, callers: [{file: "f.txt", thread: "app", calls: 4}], latency: [], ioWait: [{files: 0, us: 0}]};
  const f = fsync.evaluate(rows);
  assert.equal(fsync.headline(f.metrics), "4 fsync calls by app");
  assert.deepEqual(fsync.chart(rows, f.metrics), {
    kind: "bars",
    title: "fsync/fdatasync calls per thread",
    xTitle: "calls",
    bars: [{name: "app-io (target)", value: 0}, {name: "app (target)", value: 4}]
  });
  const withLatency = {...rows, latency: [{lo: 1024, hi: 2048, count: 4}]};
  assert.deepEqual(fsync.chart(withLatency, fsync.evaluate(withLatency).metrics)?.kind, "histogram");
  const disk = findingSpec("disk.latency");
  const buckets = {evidence: [{file: "d.txt", source: "bcc biolatency", window_s: null}], buckets: [{file: "d.txt", class: "sda", lo: 64, hi: 128, count: 9, exact: false}], bytes: []};
  const m = disk.evaluate(buckets).metrics;
  assert.equal(disk.headline(m), "p99.9 in 64–128 µs");
  const chart = disk.chart(buckets, m);
  assert.deepEqual(chart?.kind === "histogram" ? chart.bins : null, [{lo: 64, hi: 128, count: 9}]);
});

test("intervals: Wilson's 95% interval, and the noise test that leaves unchanged frames grey", async () => {
  const {wilson, sharesDiffer} = await import("../loaders/findings/interval.js");
  const [lo, hi] = wilson(935, 1987)!;
  assert.deepEqual([lo.toFixed(4), hi.toFixed(4)], ["0.4487", "0.4925"]);
  assert.equal(wilson(0, 0), null);
  assert.deepEqual(wilson(0, 10)!.map((x) => x.toFixed(3)), ["0.000", "0.278"], "no zero-width interval at 0");
  assert.equal(sharesDiffer(50, 100, 55, 100), false, "50% against 55% of 100 samples is noise");
  assert.equal(sharesDiffer(500, 1000, 600, 1000), true, "50% against 60% of 1,000 is not");
  assert.equal(sharesDiffer(5, 10, 0, 0), false, "no samples on one side: no claim of change");
});

test("off-CPU stacks: tracing frames at the leaf are folded away for display and classification, kept elsewhere", async () => {
  const {withoutTracing, classifyStack, offcpuFlameStacks} = await import("../loaders/findings/offcpu.js");
  const stack = ["entry_SYSCALL_64", "do_futex", "futex_wait", "__schedule+1156", "perf_trace_sched_switch+20", "perf_trace_sched_switch+20"];
  assert.deepEqual(withoutTracing(stack), stack.slice(0, 4));
  assert.deepEqual(withoutTracing(["a", "__traceiter_sched_switch", "b"]), ["a", "__traceiter_sched_switch", "b"], "only at the leaf end");
  assert.deepEqual(withoutTracing(["__bpf_trace_sched_switch"]), []);
  assert.equal(classifyStack(stack), "futex");
  assert.equal(classifyStack(["do_syscall_64", "perf_trace_sched_switch"]), "other");
  assert.deepEqual(offcpuFlameStacks([{frames: stack, us: 42}]), [{frames: ["futex", ...stack.slice(0, 4)], samples: 42}]);
});

test("time.wallclock: on-CPU samples ÷ rate plus blocked time per thread, the gap stated; windows that differ are taken per second", async () => {
  const {wallclockThreads: wall} = await import("../loaders/findings/wallclock.js");
  const profile = [{side: "oncpu", file: "p.txt", source: "perf script", status: "ok", status_reason: null, recognized: true, window_s: 10, sample_hz: 100}];
  const offcpu = [{file: "o.txt", source: "bpfbook offcpu.bt", recognized: true, kind: "offcpu", window_s: 10, complete: true, status: "ok", status_reason: null}];
  const oncpu = [{tid: 1, thread: "main", samples: 300}, {tid: 2, thread: "io", samples: 100}];
  const {rows: blocked, frames} = withFrameIds([
    {tid: 1, thread: "main", frames: ["do_epoll_wait", "__schedule"], us: 6.5e6},
    {tid: 2, thread: "io", frames: ["futex_wait", "__schedule", "perf_trace_sched_switch"], us: 8e6}
  ]);
  const f = wall.evaluate({profile, offcpu, oncpu, blocked, frames});
  assert.equal(f.verdict, "20.0% on-CPU");
  assert.deepEqual(f.metrics.threads.map((t) => [t.tid, t.on_s, t.off_s, t.accounted]), [
    [1, 3, {poll: 6.5}, 0.95],
    [2, 1, {futex: 8}, 0.9]
  ]);
  assert.equal(f.metrics.gap_s, 1.5);
  assert.match(f.narrative, /2 threads over 10 s \(20 s of thread time\): blocked on futex 40\.0%, blocked on poll 32\.5% and on-CPU 20\.0%\. The captures account for 18\.5 s of the 20 s; the gap of 7\.5%/);
  // The off-CPU capture ran 20 s: its seconds are taken per second of its window.
  const longer = wall.evaluate({profile, offcpu: [{...offcpu[0], window_s: 20}], oncpu, blocked, frames});
  assert.equal(longer.metrics.windows_differ, true);
  assert.deepEqual(longer.metrics.threads.map((t) => [t.on_s, t.off_s]), [[6, {poll: 6.5}], [2, {futex: 8}]]);
  assert.match(longer.narrative, /windows differ \(10 s and 20 s\)/);
  // No rate, no thread ids, or a failed side: it cannot tell, and says why.
  assert.equal(wall.evaluate({profile: [{...profile[0], sample_hz: null}], offcpu, oncpu, blocked, frames}).conclusive, false);
  assert.match(wall.evaluate({profile, offcpu, oncpu, blocked: [], frames}).narrative, /lacks off-CPU time by thread\.$/);
  // Everything missing is named, not only the first thing found missing.
  assert.match(wall.evaluate({profile: [], offcpu, oncpu: [], blocked: [], frames}).narrative, /lacks on-CPU samples with thread ids and off-CPU time by thread\.$/);
  assert.match(wall.evaluate({profile: [], offcpu, oncpu: [], blocked, frames}).narrative, /lacks on-CPU samples with thread ids\.$/);
  assert.match(wall.evaluate({profile: [], offcpu: [{...offcpu[0], status: "failed", status_reason: "x"}], oncpu: [], blocked: [], frames}).narrative, /lacks on-CPU samples with thread ids\.$/);
  assert.match(wall.evaluate({profile: [{...profile[0], sample_hz: null}], offcpu, oncpu, blocked: [], frames}).narrative, /lacks the sampling rate of the on-CPU profile \(the manifest's sample_hz\) and off-CPU time by thread\.$/);
  assert.equal(wall.evaluate({profile, offcpu: [{...offcpu[0], status: "failed", status_reason: "x"}], oncpu, blocked, frames}).verdict, "cannot tell: off-CPU capture failed");
});

test("time.wallclock on the embedded capture: the busiest thread's on- and off-CPU time fill its window; the gap is stated", async () => {
  const {convertToParquet} = await import("../loaders/convert.js");
  const {findingsForTables} = await import("../loaders/findings/node.js");
  const {tempDir} = await import("./helpers.js");
  const tables = join(tempDir("wall"), "t");
  await convertToParquet(join("data", "captures", "demo-fsync"), tables);
  const f = (await findingsForTables(tables)).find((x) => x.id === "time.wallclock")!;
  assert.equal(f.conclusive, true, f.narrative);
  const threads = f.metrics.threads as {tid: number; on_s: number; accounted: number}[];
  const busiest = [...threads].sort((a, b) => b.on_s - a.on_s)[0];
  assert.ok(busiest.accounted > 0.9 && busiest.accounted < 1.02, `busiest thread: ${busiest.accounted} of its window`);
  assert.match(f.narrative, new RegExp(`the gap of ${(Number(f.metrics.gap_share) * 100).toFixed(1)}% is time neither saw`));
});

test("kernel frames are marked _[k] for display, after the tracing frames are folded away", async () => {
  const {markKernel} = await import("../loaders/findings/flame-tree.js");
  const {offcpuFlameStacks} = await import("../loaders/findings/offcpu.js");
  assert.deepEqual(markKernel(["main", "write", "vfs_write"], 1), ["main", "write", "vfs_write_[k]"]);
  assert.deepEqual(markKernel(["main"], null), ["main"]);
  assert.deepEqual(markKernel(["a_[k]", "b"], 5), ["a_[k]", "b_[k]"], "never marked twice, never beyond the stack");
  const [s] = offcpuFlameStacks([{frames: ["do_futex", "__schedule", "perf_trace_sched_switch"], us: 5, kernel_frames: 3}]);
  assert.deepEqual(s.frames, ["futex", "do_futex_[k]", "__schedule_[k]"]);
});

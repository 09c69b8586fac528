// Capturing a live process: argument checks (everywhere), and where this runs as root with
// bpftrace and tracefs (CI does), real 5-second captures of the demo workload in both
// modes, converted with zero problems and giving opposite fsync findings.
import assert from "node:assert/strict";
import {existsSync, readFileSync, readdirSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {perfWorks, preflight} from "../loaders/capture/environment.js";
import {convertToParquet} from "../loaders/convert.js";
import {findingsForTables, openTables} from "../loaders/findings/node.js";
import {DEMO_COMM, startDemo} from "../demo/run.js";
import {cli, tempDir} from "./helpers.js";


test("bad capture arguments are refused before anything starts", async () => {
  const captures = tempDir("cap-args");
  const cases: [string[], RegExp][] = [
    [["--pid", "999999999"], /--pid 999999999: no such process/],
    [["--pid", "12; rm -rf /"], /expected a positive process id/],
    [["--comm", "x;touch /tmp/bpfbook-pwned"], /a process name is/],
    [["--comm", "$(reboot)"], /a process name is/],
    [["--container", "a b|c"], /a container name is/],
    [["--pid", String(process.pid), "--duration=-5"], /--duration "-5": expected whole seconds/],
    [["--pid", String(process.pid), "--duration", "-5"], /--duration/],
    [["--pid", String(process.pid), "--duration", "1.5"], /expected whole seconds/],
    [["--pid", String(process.pid), "--comm", "node"], /exactly one of/]
  ];
  for (const [args, message] of cases) {
    const r = await cli(["capture", ...args], {BPFBOOK_CAPTURES: captures});
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(readdirSync(captures), [], "no bundle was started");
  assert.ok(!existsSync("/tmp/bpfbook-pwned"));
});

const missing = preflight();
if (missing.length && process.env.CI) throw new Error(`CI must be able to capture: ${missing.join("; ")}`);
const skip = missing.length ? `cannot capture here: ${missing.join("; ")}` : false;
if (skip) console.log(`# skipping live captures: ${skip}`);
// Without perf the runner profiles with bpftrace, whose samples carry no time.
const timedProfile = perfWorks();
if (!timedProfile && process.env.CI) throw new Error("CI must have perf: the capture's on-CPU samples and their times are checked");
if (!skip && !timedProfile) console.log("# perf unavailable: the on-CPU profile comes from bpftrace, without sample times; those checks are skipped");

async function captureDemo(mode: "--fsync" | "--no-fsync") {
  const demo = startDemo([mode]);
  try {
    await new Promise((r) => setTimeout(r, 2500));
    const out = join(tempDir("cap"), `demo${mode}`);
    const r = await cli(["capture", "--pid", String(demo.pid), "--duration", "8", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    return out;
  } finally {
    demo.kill("SIGTERM");
  }
}

test("an 8-second capture of the demo in fsync mode converts cleanly and finds its fsyncs and timed on-CPU samples", {skip}, async () => {
  const bundle = await captureDemo("--fsync");
  const tables = join(tempDir("cap-tables"), "t");
  const summary = await convertToParquet(bundle, tables);
  assert.equal(summary.files.reduce((s, f) => s + f.problem_lines, 0), 0, "zero problems");
  const [fsync] = (await findingsForTables(tables)).filter((f) => f.id === "durability.fsync");
  assert.deepEqual(fsync.metrics.target_threads, [DEMO_COMM]);
  assert.ok(Number(fsync.metrics.target_fsync_calls) > 10, `fsync calls: ${fsync.metrics.target_fsync_calls}`);
  assert.equal(fsync.verdict, "target fsyncs");
  assert.ok(Number(fsync.metrics.window_s) > 4, "the window comes from the manifest");
  const db = await openTables(tables);
  const [oncpu] = await db.query(`SELECT sum(value) AS samples FROM stacks s JOIN captures c USING (capture_id, file) WHERE c.kind = 'oncpu' AND s.key = '${DEMO_COMM}'`);
  // The programs print every second: the fsync histograms keep their time; perf script keeps each sample's.
  const [times] = await db.query(`SELECT count(DISTINCT t_s)::INTEGER AS n FROM fsync_latency`);
  const [timed] = await db.query(`SELECT count(*)::INTEGER AS samples, count(DISTINCT t_s)::INTEGER AS times, count(DISTINCT floor(t_s))::INTEGER AS seconds FROM oncpu_samples WHERE thread = '${DEMO_COMM}'`);
  db.close();
  assert.ok(Number(oncpu.samples) > 0, "on-CPU samples of the demo");
  assert.ok(Number(times.n) >= 5, `fsync histograms in ${times.n} distinct seconds of an 8 s capture`);
  if (timedProfile) {
    assert.equal(timed.samples, oncpu.samples, "every sample of the profile has its time");
    assert.ok(Number(timed.times) >= Number(timed.samples) - 1, `${timed.times} distinct times for ${timed.samples} samples`);
    assert.ok(Number(timed.seconds) >= 5, `samples in ${timed.seconds} distinct seconds`);
  }
  const found = await findingsForTables(tables);
  const bursts = found.find((f) => f.id === "latency.bursts")!;
  assert.ok(Number(bursts.metrics.intervals) >= 5, `latency.bursts sees ${bursts.metrics.intervals} intervals`);
  if (timedProfile) {
    const phases = found.find((f) => f.id === "cpu.phases")!;
    assert.ok(Number(phases.metrics.seconds) >= 5, `cpu.phases sees ${phases.metrics.seconds} seconds`);
    // Off-CPU time by thread and on-CPU samples by thread add up to each thread's wall clock.
    const wall = found.find((f) => f.id === "time.wallclock")!;
    assert.equal(wall.conclusive, true, wall.narrative);
    assert.equal(wall.metrics.sample_hz, 99);
    const busiest = [...(wall.metrics.threads as {on_s: number; accounted: number}[])].sort((a, b) => b.on_s - a.on_s)[0];
    assert.ok(busiest.accounted > 0.8 && busiest.accounted < 1.05, `the busiest thread's time covers ${busiest.accounted} of the window`);
  }
});

test("the same capture of the demo in no-fsync mode finds no fsync by the target", {skip}, async () => {
  const bundle = await captureDemo("--no-fsync");
  const tables = join(tempDir("cap-tables"), "t");
  const summary = await convertToParquet(bundle, tables);
  assert.equal(summary.files.reduce((s, f) => s + f.problem_lines, 0), 0, "zero problems");
  const [fsync] = (await findingsForTables(tables)).filter((f) => f.id === "durability.fsync");
  assert.equal(fsync.metrics.target_fsync_calls, 0);
  assert.equal(fsync.verdict, "target never fsyncs");
});

test("a declared capture source records the demo by name, then replaces its bundle with the next capture", {skip}, async () => {
  const {syncSources} = await import("../loaders/sources.js");
  const captures = tempDir("cap-sources");
  const demo = startDemo(["--no-fsync"]);
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const source = {id: "live", capture: {comm: DEMO_COMM, duration: 2}};
    const [first] = await syncSources([source], {captures, log: () => {}});
    assert.equal(first.action, "captured", first.reason ?? "");
    const manifest = JSON.parse(readFileSync(join(captures, "live", "manifest.json"), "utf8"));
    assert.equal(manifest.source, `capture comm=${DEMO_COMM}, 2 s`);
    assert.equal(manifest.fetched_at, first.fetched_at);
    assert.ok(manifest.files.some((f: {file: string; status: string}) => f.file === "01-fsync-latency.txt" && f.status === "ok"));
    const [second] = await syncSources([source], {captures, log: () => {}});
    assert.equal(second.action, "captured");
    assert.notEqual(second.fetched_at, first.fetched_at, "a new capture each time");
    assert.deepEqual(readdirSync(captures).filter((d) => !d.startsWith(".")), ["live"], "the bundle replaced in place");
    assert.ok(!existsSync(join(captures, ".staging")) || readdirSync(join(captures, ".staging")).length === 0, "no staging left behind");
  } finally {
    demo.kill("SIGTERM");
  }
});

test("bpftrace programs are adapted to the installed version", async () => {
  const {adaptProgram, programText} = await import("../loaders/capture/run.js");
  const source = "tracepoint:block:block_rq_issue { @s[args.dev, args.sector] = nsecs; }";
  assert.equal(adaptProgram(source, {text: "bpftrace v0.17.0", major: 0, minor: 17}), "tracepoint:block:block_rq_issue { @s[args->dev, args->sector] = nsecs; }");
  assert.equal(adaptProgram(source, {text: "bpftrace v0.20.2", major: 0, minor: 20}), source);
  const offcpu = programText("offcpu", {text: "v0.17.0", major: 0, minor: 17}, {PID: 4242, DURATION: 7});
  assert.match(offcpu, /^\/\/ Off-CPU time/);
  assert.match(offcpu, /pid == 4242/);
  assert.match(offcpu, /interval:s:7 \{ @end_ns = nsecs; exit\(\); \}/);
  assert.doesNotMatch(offcpu, /args\.|\{\{/);
});

test("without bpftrace on the PATH, capture says what is missing and how to fix it", async () => {
  const {capture} = await import("../loaders/capture/run.js");
  const path = process.env.PATH;
  process.env.PATH = tempDir("nopath");
  try {
    await assert.rejects(capture({target: {pid: String(process.pid)}, duration: 1, out: join(tempDir("nocap"), "x")}), /bpftrace: not installed; install it with `apt-get install bpftrace`/);
  } finally {
    process.env.PATH = path;
  }
});

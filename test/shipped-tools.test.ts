// bpftrace's shipped tools (Debian's /usr/sbin/*.bt) recorded against the demo at the same
// time as bpfbook's own capture: the bundle of their outputs, recognized by content, must
// give the same durability verdict. Needs root, bpftrace and tracefs (CI has them).
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {existsSync, mkdirSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {preflight} from "../loaders/capture/environment.js";
import {convertToParquet} from "../loaders/convert.js";
import {findingsForTables} from "../loaders/findings/node.js";
import {DEMO_COMM, startDemo} from "../demo/run.js";
import {cli, tempDir} from "./helpers.js";

const TOOLS = ["syncsnoop.bt", "syscount.bt", "bitesize.bt"].map((t) => join("/usr/sbin", t));
// Debian's biolatency.bt is kprobe-based and does not attach here; upstream's is on tracepoints.
const BIOLATENCY = join("test", "fixtures", "tools", "biolatency-tracepoint.bt");

const missing = [...preflight(), ...TOOLS.filter((t) => !existsSync(t)).map((t) => `${t} not installed`)];
if (missing.length && process.env.CI) throw new Error(`CI must be able to run bpftrace's tools: ${missing.join("; ")}`);
const skip = missing.length ? `cannot run bpftrace's tools here: ${missing.join("; ")}` : false;
if (skip) console.log(`# skipping shipped tools: ${skip}`);

/** Runs a bpftrace program for `seconds`, then interrupts it so it prints its maps, as Ctrl-C would. */
function record(program: string, out: string, seconds: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn("bpftrace", ["-o", out, program], {stdio: ["ignore", "ignore", "ignore"]});
    const timer = setTimeout(() => child.kill("SIGINT"), seconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test("bpftrace's shipped tools on the demo give the durability verdict bpfbook's own capture gives", {skip}, async () => {
  const demo = startDemo(["--fsync"]);
  const bundle = join(tempDir("shipped"), "shipped");
  mkdirSync(bundle);
  const own = join(tempDir("own"), "own");
  try {
    await new Promise((r) => setTimeout(r, 2500));
    const [capture] = await Promise.all([
      cli(["capture", "--pid", String(demo.pid), "--duration", "8", "--out", own]),
      ...[...TOOLS, BIOLATENCY].map((t) => record(t, join(bundle, t.split("/").pop()!.replace(/\.bt$/, ".txt")), 10))
    ]);
    assert.equal(capture.status, 0, capture.stderr);
  } finally {
    demo.kill("SIGTERM");
  }
  const summary = await convertToParquet(bundle, join(bundle, "..", "tables"), {targets: [DEMO_COMM]});
  const tools = Object.fromEntries(summary.files.map((f) => [f.file, f.tool]));
  assert.deepEqual(tools, {"bitesize.txt": "bitesize.bt", "biolatency-tracepoint.txt": "biolatency.bt", "syncsnoop.txt": "syncsnoop.bt", "syscount.txt": "syscount.bt"});
  assert.equal(summary.files.reduce((s, f) => s + f.problem_lines, 0), 0, "no problem lines");
  const theirs = Object.fromEntries((await findingsForTables(join(bundle, "..", "tables"))).map((f) => [f.id, f]));
  const ownTables = join(tempDir("own-tables"), "t");
  await convertToParquet(own, ownTables);
  const ours = Object.fromEntries((await findingsForTables(ownTables)).map((f) => [f.id, f]));
  assert.equal(ours["durability.fsync"].verdict, "target fsyncs");
  assert.equal(theirs["durability.fsync"].verdict, ours["durability.fsync"].verdict);
  assert.equal(theirs["durability.fsync"].metrics.evidence_source, "syncsnoop.bt");
  assert.ok(Number(theirs["durability.fsync"].metrics.target_fsync_calls) > 10, `syncsnoop saw ${theirs["durability.fsync"].metrics.target_fsync_calls} calls`);
  assert.match(theirs["durability.fsync"].narrative, /^From syncsnoop\.txt \(syncsnoop\.bt\)/);
  assert.ok(Number(theirs["disk.latency"].metrics.ios) > 0, "biolatency's @usecs feeds disk.latency");
});

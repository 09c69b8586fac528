// The command line as a pipeline uses it: `npx bpfbook` with real --help, usage errors
// that exit 2, `gate` for CI on the embedded captures (and qfc-t1 from ../shared), the
// findings document against docs/findings.schema.json, and progress on a terminal.
import assert from "node:assert/strict";
import {spawn, spawnSync} from "node:child_process";
import {existsSync, mkdirSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {perfScript} from "../bench/generate.js";
import {regressions} from "../loaders/gate.js";
import type {Finding} from "../loaders/findings/types.js";
import {REFERENCE, cli, finding, tempDir} from "./helpers.js";
import {schemaErrors} from "./schema.js";

if (!existsSync(REFERENCE) && process.env.CI) throw new Error(`reference bundle missing at ${REFERENCE}; CI must have ../shared`);

const FSYNC = join("data", "captures", "demo-fsync");
const NOFSYNC = join("data", "captures", "demo-nofsync");

function npx(args: string[]): Promise<{status: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["bpfbook", ...args]);
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({status, stdout, stderr}));
  });
}

test("npx bpfbook: --help lists the commands, <command> --help its options; usage errors exit 2 with the usage", async () => {
  const main = await npx(["--help"]);
  assert.equal(main.status, 0, main.stderr);
  for (const name of ["convert", "fetch", "findings", "gate", "capture", "export", "check"]) assert.match(main.stdout, new RegExp(`^  ${name} +\\S`, "m"), name);
  const convert = await npx(["convert", "--help"]);
  assert.equal(convert.status, 0, convert.stderr);
  assert.match(convert.stdout, /^usage: bpfbook convert <bundle-folder> \[options\]$/m);
  assert.match(convert.stdout, /--out <folder> +where to write the tables/);
  assert.match(convert.stdout, /-q, --quiet +no progress/);
  const unknown = await npx(["convert", "--bogus", FSYNC]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown option '--bogus'[\s\S]*usage: bpfbook convert/);
  const noCommand = await npx(["frobnicate"]);
  assert.equal(noCommand.status, 2);
  assert.match(noCommand.stderr, /unknown command "frobnicate"[\s\S]*commands:/);
  const badLevel = await npx(["gate", FSYNC, "--fail-on", "bad"]);
  assert.equal(badLevel.status, 2);
  assert.match(badLevel.stderr, /--fail-on bad: expected warning or critical/);
});

test("gate: the no-fsync capture against the fsync one regresses on durability; the reverse passes", async () => {
  const worse = await cli(["gate", NOFSYNC, "--baseline", FSYNC]);
  assert.equal(worse.status, 1, worse.stderr);
  assert.match(worse.stdout, /^FAIL durability\.fsync: verdict target fsyncs \(info\) → target never fsyncs \(warning\)$/m);
  assert.match(worse.stdout, /^gate: 1 failure\(s\) in demo-nofsync$/m);
  const better = await cli(["gate", FSYNC, "--baseline", NOFSYNC]);
  assert.equal(better.status, 0, better.stdout + better.stderr);
  assert.match(better.stdout, /^gate: demo-fsync passed$/m);
  const json = await cli(["gate", NOFSYNC, "--baseline", FSYNC, "--json"]);
  const result = JSON.parse(json.stdout);
  assert.equal(result.passed, false);
  assert.deepEqual(result.failures.map((f: {finding: string; check: string}) => [f.finding, f.check]), [["durability.fsync", "verdict"]]);
});

test("gate --fail-on warning on qfc-t1 exits 1 and lists each warning", {skip: existsSync(REFERENCE) ? false : "no ../shared"}, async () => {
  const r = await cli(["gate", REFERENCE, "--fail-on", "warning"]);
  assert.equal(r.status, 1, r.stderr);
  const findings = JSON.parse((await cli(["findings", REFERENCE])).stdout).findings as Finding[];
  const warnings = findings.filter((f) => f.severity !== "info");
  assert.ok(warnings.length >= 1);
  for (const f of warnings) assert.match(r.stdout, new RegExp(`^FAIL ${f.id.replace(".", "\\.")}: ${f.severity} · `, "m"), f.id);
  assert.equal(r.stdout.split("\n").filter((l) => l.startsWith("FAIL ")).length, warnings.length);
  const critical = await cli(["gate", REFERENCE, "--fail-on", "critical"]);
  assert.equal(critical.status, findings.some((f) => f.severity === "critical") ? 1 : 0);
});

test("gate rules: percentile buckets by a factor on enough events, shares beyond their interval, inconclusive sides skipped", () => {
  const disk = (ios: number, lo: number, hi: number) => finding("disk.latency", {metrics: {ios, p99_lo_us: lo, p99_hi_us: hi, p50_lo_us: 64, p50_hi_us: 128}});
  const [p99] = regressions([disk(5000, 8192, 16384)], [disk(5000, 512, 1024)]);
  assert.equal(p99.check, "percentile");
  assert.match(p99.message, /^disk\.latency: p99 512 µs–1 ms → 8–16 ms \(16× the baseline's bucket, over the 2× allowed\)$/);
  assert.deepEqual(regressions([disk(5000, 1024, 2048)], [disk(5000, 512, 1024)], {factor: 4}), [], "2× is within a 4× factor");
  assert.deepEqual(regressions([disk(50, 8192, 16384)], [disk(5000, 512, 1024)]), [], "a p99 of 50 I/Os is not compared");
  const cpu = (share: number, ci: [number, number]) => finding("cpu.hotspots", {metrics: {hash_share: share, hash_share_ci95: ci}});
  const [grew] = regressions([cpu(0.471, [0.449, 0.493])], [cpu(0.2, [0.18, 0.22])]);
  assert.match(grew.message, /hash_share 20\.0% \(18\.0%–22\.0%\) → 47\.1% \(44\.9%–49\.3%\): grew beyond its 95% interval/);
  assert.deepEqual(regressions([cpu(0.23, [0.2, 0.26])], [cpu(0.2, [0.18, 0.22])]), [], "overlapping intervals: noise");
  const before = finding("latency.bursts", {severity: "info", verdict: "no intervals", conclusive: false});
  assert.deepEqual(regressions([finding("latency.bursts", {severity: "warning", verdict: "2 latency bursts"})], [before]), [], "no basis to compare against");
});

test("findings documents match docs/findings.schema.json, and the schema rejects a broken one", async () => {
  for (const bundle of [FSYNC, NOFSYNC, join("test", "fixtures", "hostile"), ...(existsSync(REFERENCE) ? [REFERENCE] : [])]) {
    const r = await cli(["findings", bundle]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(schemaErrors(JSON.parse(r.stdout)), [], bundle);
  }
  const document = JSON.parse((await cli(["findings", FSYNC])).stdout);
  delete document.findings[0].verdict;
  document.findings[1].severity = "bad";
  document.findings[2].chart = {kind: "bars", title: "t", xTitle: "x", bars: [{name: "a", value: null}]};
  const errors = schemaErrors(document);
  assert.ok(errors.some((e) => /^\/findings\/0: must have required property 'verdict'$/.test(e)), errors.join("\n"));
  assert.ok(errors.some((e) => /^\/findings\/1\/severity: must be equal to one of the allowed values$/.test(e)), errors.join("\n"));
  assert.ok(errors.some((e) => /^\/findings\/2\/chart/.test(e)), errors.join("\n"));
});

test("convert shows progress on a terminal (bytes, lines, rate) and nothing extra with --quiet", async () => {
  const bundle = join(tempDir("progress"), "big");
  mkdirSync(bundle, {recursive: true});
  await perfScript(join(bundle, "05-oncpu.perf-script.txt"), 200e6);
  // script(1) gives the command a pseudo-terminal, as an analyst's shell would.
  const run = (extra: string) =>
    spawnSync("script", ["-qfec", `node bin/bpfbook.js convert ${bundle} --out ${join(bundle, "..", "t")} ${extra}`, "/dev/null"], {encoding: "utf8", maxBuffer: 64 << 20});
  const shown = run("");
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, /05-oncpu\.perf-script\.txt \|[█░]+\| \d+% [\d.]+\/200\.0 MB · [\d,]+ lines · [\d.]+ MB\/s/);
  assert.match(shown.stdout, /\r|\u001b\[1G/, "redrawn in place");
  const quiet = run("--quiet");
  assert.equal(quiet.status, 0, quiet.stderr);
  const lines = quiet.stdout.replace(/\r/g, "").split("\n").filter((l) => l.trim() !== "");
  assert.deepEqual(lines.map((l) => l.replace(/ .*/, "")), ["05-oncpu.perf-script.txt", "wrote"], quiet.stdout);
});

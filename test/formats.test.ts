// bpftrace JSON, perf script, folded and context parsers, on real samples recorded on this
// machine (test/fixtures/real) and on hand-made edge cases.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {readLines} from "../loaders/lines.js";
import {BpftraceJsonParser} from "../loaders/parse/bpftrace-json.js";
import {ContextParser} from "../loaders/parse/context.js";
import {FoldedParser} from "../loaders/parse/folded.js";
import {PerfScriptParser} from "../loaders/parse/perf-script.js";
import {formatOf} from "../loaders/bundle.js";
import {Collector, parseText, reconciles} from "./helpers.js";

const REAL = join("test", "fixtures", "real");

async function parseFile<P extends {push(l: import("../loaders/lines.js").Line): void; end(): import("../loaders/parse/common.js").ParseResult}>(
  make: (ref: {capture_id: string; file: string}, sink: Collector) => P,
  path: string
) {
  const rows = new Collector();
  const parser = make({capture_id: "t", file: path}, rows);
  for await (const line of readLines(path)) parser.push(line);
  return {rows, result: parser.end()};
}

test("bpftrace JSON (real sample): maps, hist, lhist, stats, stack keys and stack values", async () => {
  const {rows, result} = await parseFile((r, s) => new BpftraceJsonParser(r, s), join(REAL, "bpftrace.ndjson"));
  assert.ok(result.recognized);
  assert.ok(reconciles(result.counts));
  assert.equal(rows.rows("problems").length, 0);
  const c = rows.rows("values").filter((r) => r.map === "@c");
  assert.ok(c.length > 0 && c.every((r) => (r.key_parts as string[]).length === 2 && /^\d+$/.test((r.key_parts as string[])[1])));
  const hist = rows.rows("histograms").filter((r) => r.map === "@h_bytes");
  assert.deepEqual([hist[0].lo, hist[0].hi], [1, 2], "JSON max is inclusive: [1, 1] becomes [1, 2)");
  assert.equal(hist[0].unit, "bytes");
  assert.ok(rows.rows("histograms").some((r) => r.map === "@l_bytes" && r.key !== null));
  assert.deepEqual(rows.rows("values").filter((r) => r.map === "@s").map((r) => r.stat), ["count", "average", "total"]);
  const stacks = rows.rows("stacks");
  assert.ok(stacks.some((s) => s.map === "@k" && s.key === null && typeof s.value === "number" && (s.frames as string[]).length > 0));
  assert.ok(stacks.some((s) => s.map === "@w" && typeof s.key === "string" && s.key !== ""));
  assert.ok(stacks.filter((s) => s.map === "@ks").every((s) => s.bookkeeping === true && s.value === null));
  assert.deepEqual(rows.rows("messages").map((m) => m.kind), ["tool", "printf"]);
});

test("bpftrace JSON: open buckets, keyed stats, bad events become problems with line numbers", () => {
  const {rows, result} = parseText(
    (r, s) => new BpftraceJsonParser(r, s),
    [
      `{"type": "hist", "data": {"@lat_us": [{"max": -1, "count": 2}, {"min": 0, "max": 0, "count": 3}, {"min": 100, "count": 4}]}}`,
      `{"type": "stats", "data": {"@st": {"a,b": {"count": 2, "average": 3, "total": 6}}}}`,
      `{"type": "lost_events", "data": {"events": 12}}`,
      `{"type": "map", "data": {"@x": `,
      `not json at all`,
      `{"type": "hist", "data": {"@h": [{"min": 1, "max": 1, "count": "x"}, {"min": 2, "max": 3, "count": 1}]}}`
    ].join("\n")
  );
  assert.deepEqual(rows.rows("histograms").map((r) => [r.map, r.lo, r.hi, r.count]), [
    ["@lat_us", null, 0, 2],
    ["@lat_us", 0, 1, 3],
    ["@lat_us", 100, null, 4],
    ["@h", 2, 4, 1]
  ]);
  assert.deepEqual(rows.rows("values").map((r) => [r.key, r.key_parts, r.stat, r.value]), [
    ["a,b", ["a", "b"], "count", 2],
    ["a,b", ["a", "b"], "average", 3],
    ["a,b", ["a", "b"], "total", 6]
  ]);
  assert.deepEqual(rows.rows("problems").map((p) => p.line), [4, 5, 6]);
  assert.ok([...rows.rows("values"), ...rows.rows("histograms")].every((r) => r.bookkeeping === false));
  const inFlight = parseText((r, s) => new BpftraceJsonParser(r, s), `{"type": "map", "data": {"@start": {"12": 8670325145422633}}}`);
  assert.deepEqual(inFlight.rows.rows("values").map((r) => [r.map, r.key, r.bookkeeping]), [["@start", "12", true]]);
  assert.ok(reconciles(result.counts));
  assert.equal(result.counts.problem_lines, 3);
});

test("perf script (real sample) collapses to folded stacks: offsets stripped, [unknown] kept, samples summed", async () => {
  const {rows, result} = await parseFile((r, s) => new PerfScriptParser(r, s), join(REAL, "perf-script.txt"));
  assert.ok(reconciles(result.counts));
  assert.equal(rows.rows("problems").length, 0);
  const stacks = rows.rows("stacks");
  assert.equal(stacks.reduce((s, r) => s + Number(r.value), 0), 26, "26 samples recorded");
  assert.ok(stacks.every((s) => s.key === "sh" && s.unit === "samples"));
  const frames = stacks.flatMap((s) => s.frames as string[]);
  assert.ok(frames.includes("[unknown]"));
  assert.ok(!frames.some((f) => /\+0x[0-9a-f]+$/.test(f)), "no offsets left");
  const strtoll = stacks.find((s) => (s.frames as string[]).join(";") === "__GI_____strtoll_l_internal");
  assert.ok(strtoll && Number(strtoll.value) >= 2, "identical stacks are summed");
});

test("perf script (real sample): every sample keeps its time and points at its stack", async () => {
  const path = join(REAL, "perf-script.txt");
  const {rows} = await parseFile((r, s) => new PerfScriptParser(r, s), path);
  const samples = rows.rows("samples");
  // The times as printed, read here with a pattern of the test's own.
  const printed = readFileSync(path, "utf8").split("\n").flatMap((l) => /^\S.*?\s(\d+\.\d+):/.exec(l)?.[1] ?? []).map(Number);
  assert.equal(samples.length, printed.length);
  assert.deepEqual(samples.map((s) => s.time_s), printed);
  assert.equal(samples[0].t_s, 0);
  assert.ok(Math.abs(Number(samples.at(-1)!.t_s) - (printed.at(-1)! - printed[0])) < 1e-9);
  assert.ok(new Set(samples.map((s) => s.t_s)).size >= samples.length - 1, "distinct times ≈ samples");
  assert.ok(samples.every((s) => s.comm === "sh" && s.tid === 11220 && s.pid === null && s.weight === 1));
  // Samples point at stacks, and the stacks' counts are exactly their samples.
  const stacks = new Map(rows.rows("stacks").map((s) => [Number(s.stack_id), s]));
  const perStack = new Map<number, number>();
  for (const s of samples) perStack.set(Number(s.stack_id), (perStack.get(Number(s.stack_id)) ?? 0) + 1);
  assert.deepEqual([...perStack.keys()].sort(), [...stacks.keys()].sort());
  for (const [id, n] of perStack) assert.equal(stacks.get(id)!.value, n);
});

test("perf script: pid/tid and cpu are kept when printed", () => {
  const {rows} = parseText(
    (r, s) => new PerfScriptParser(r, s),
    `qfc node  4100/4107 [003] 2000.500000:   10101010 cpu-clock:ppp:
\t    7f0a1b2c3d4e blake3::portable::compress+0x1e (/usr/bin/qfc-node)

qfc node  4100/4108 [001] 2000.250000:   10101010 cpu-clock:ppp:
\t    7f0a1b2c3d4e blake3::portable::compress+0x2 (/usr/bin/qfc-node)
`
  );
  assert.deepEqual(
    rows.rows("samples").map((s) => [s.comm, s.pid, s.tid, s.cpu, s.t_s, s.stack_id]),
    [
      ["qfc node", 4100, 4107, 3, 0, 1],
      ["qfc node", 4100, 4108, 1, -0.25, 1]
    ]
  );
});

test("perf script: kernel frames (its [kernel.kallsyms] dso) are counted at the leaf end of each stack", () => {
  const {rows} = parseText(
    (r, s) => new PerfScriptParser(r, s),
    `app 10/11 [000] 5.000001:   10101010 cpu-clock:ppp:
\tffffffff81bd929c iowrite16+0xc ([kernel.kallsyms])
\tffffffff81d37d32 vp_notify+0x12 ([kernel.kallsyms])
\t    7f0a1b2c3d4e write+0x1e (/usr/lib/libc.so.6)
\t    7f0a1b2c0000 main+0x5 (/usr/bin/app)

app 10/11 [000] 5.010001:   10101010 cpu-clock:ppp:
\t    7f0a1b2c0000 main+0x9 (/usr/bin/app)
`
  );
  assert.deepEqual(rows.rows("stacks").map((s) => [s.frames, s.kernel_frames]), [
    [["main", "write", "vp_notify", "iowrite16"], 2],
    [["main"], 0]
  ]);
});

test("perf script: symbols with spaces, templates and braces; the leaf is last", () => {
  const {rows} = parseText(
    (r, s) => new PerfScriptParser(r, s),
    `my app  77/78 [001] 100.000001:     1 cycles:
\t    7f0a1b2c3d4e std::vector<int, std::allocator<int> >::push_back(int const&)+0x1e (/usr/bin/app)
\t    7f0a1b2c0000 {closure#0}+0x5 (/usr/bin/app)
\t    7f0a1b2c1111 main+0x10 (/usr/bin/app (deleted))

garbage line
`
  );
  const [s] = rows.rows("stacks");
  assert.equal(s.key, "my app");
  assert.deepEqual(s.frames, ["main", "{closure#0}", "std::vector<int, std::allocator<int> >::push_back(int const&)"]);
  assert.deepEqual(rows.rows("problems").map((p) => p.line), [6]);
});

test("folded stacks: frames with spaces, counts after the last space, bad lines recorded", () => {
  const {rows, result} = parseText(
    (r, s) => new FoldedParser(r, s),
    "a;b c;<svg/onload=1> 5\n[unknown];x 7\nno count here\n\n"
  );
  assert.deepEqual(rows.rows("stacks").map((s) => [s.frames, s.value]), [
    [["a", "b c", "<svg/onload=1>"], 5],
    [["[unknown]", "x"], 7]
  ]);
  assert.deepEqual(rows.rows("problems").map((p) => p.line), [3]);
  assert.ok(reconciles(result.counts));
});

test("context files with other headings: threads (pid=N), process targets, missing facts listed", () => {
  const {rows, result} = parseText(
    (r, s) => new ContextParser(r, s),
    `## host
Linux box 6.1.0-1 #1 SMP x86_64 GNU/Linux

## threads (pid=99)
      3 worker
      1 main
`
  );
  assert.equal(result.facts.pid, 99);
  assert.deepEqual(result.facts.target_threads, ["worker", "main"]);
  assert.deepEqual([result.facts.host, result.facts.kernel, result.facts.arch], ["box", "6.1.0-1", "x86_64"]);
  assert.deepEqual(result.facts.missing, ["os", "target", "tools"]);
  assert.equal(rows.rows("context").length, 3);
  assert.ok(reconciles(result.counts));
});

test("formats are recognised by name, then by content", () => {
  assert.equal(formatOf("00-context.txt"), "context");
  assert.equal(formatOf("05-oncpu.folded"), "folded");
  assert.equal(formatOf("05-oncpu-report.txt"), "document");
  assert.equal(formatOf("x.txt", join(REAL, "bpftrace.ndjson")), "bpftrace-json");
  assert.equal(formatOf("x.txt", join(REAL, "perf-script.txt")), "perf-script");
  assert.equal(formatOf("x.txt", join("test", "fixtures", "hostile", "01-fsync-latency.txt")), "bpftrace-text");
});

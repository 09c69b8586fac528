// Every bpftrace aggregation, recorded with the local bpftrace in both output formats
// (test/fixtures/bpftrace-json: aggregations.bt and generate.sh): the JSON and the text
// give the same rows, and neither has a problem line.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import type {Row} from "../loaders/model.js";
import {BpftraceJsonParser} from "../loaders/parse/bpftrace-json.js";
import {BpftraceTextParser} from "../loaders/parse/bpftrace-text.js";
import {parseText, reconciles} from "./helpers.js";

const DIR = join("test", "fixtures", "bpftrace-json");
const json = parseText((r, s) => new BpftraceJsonParser(r, s), readFileSync(join(DIR, "aggregations.json"), "utf8"));
const text = parseText((r, s) => new BpftraceTextParser(r, s), readFileSync(join(DIR, "aggregations.txt"), "utf8"));

// Text joins key parts with ", ", JSON with ","; compare the parts.
const parts = (r: Row) => (r.key === null ? [] : String(r.key).split(/, ?/));
const comparable: Record<"histograms" | "values" | "stacks", (r: Row) => object> = {
  histograms: (r: Row) => ({map: r.map, key: parts(r), series: r.series, lo: r.lo, hi: r.hi, count: r.count, unit: r.unit}),
  values: (r: Row) => ({map: r.map, key: parts(r), series: r.series, stat: r.stat, value: r.value, text: r.text, unit: r.unit}),
  stacks: (r: Row) => ({map: r.map, key: parts(r), frames: r.frames, value: r.value, unit: r.unit})
};
const sorted = (rows: object[]) => rows.map((r) => JSON.stringify(r)).sort();

test("every aggregation in the JSON corpus converts with no problem line", () => {
  assert.ok(json.result.recognized);
  assert.ok(reconciles(json.result.counts));
  assert.deepEqual(json.rows.rows("problems"), []);
  const maps = new Set([...json.rows.rows("values"), ...json.rows.rows("histograms"), ...json.rows.rows("stacks")].map((r) => r.map));
  for (const map of ["@count", "@count_by_name", "@sum_bytes", "@avg_us", "@min_us", "@max_us", "@avg_all", "@stats_us", "@stats_all", "@latency_us", "@latency_by_name_us", "@size_bytes", "@multi", "@text", "@negative", "@scalar", "@exits", "@exits_by_comm", "@two_stacks"]) {
    assert.ok(maps.has(map), `${map} has rows`);
  }
});

test("text and JSON of the same program give the same rows", () => {
  assert.deepEqual(text.rows.rows("problems"), []);
  for (const table of ["histograms", "values", "stacks"] as const) {
    assert.deepEqual(sorted(json.rows.rows(table).map(comparable[table])), sorted(text.rows.rows(table).map(comparable[table])), table);
  }
});

test("avg() and stack keys anywhere among the parts", () => {
  const avg = json.rows.rows("values").filter((r) => r.map === "@avg_us").map((r) => [r.key, r.stat, r.value]);
  assert.deepEqual(avg.sort(), [["alpha", "value", 20], ["beta", "value", 5]]);
  const two = json.rows.rows("stacks").find((r) => r.map === "@two_stacks")!;
  assert.equal(two.key, "true");
  assert.equal((two.frames as string[]).length, 5, "both stacks' frames, no separator");
  const after = json.rows.rows("stacks").find((r) => r.map === "@exits_by_comm")!;
  assert.deepEqual([after.key, (after.frames as string[]).length], ["true", 2]);
});

test("interval output keeps its time: rows after each time() line carry that interval's t_s, in text and JSON", () => {
  const runs = [
    ["intervals.txt", parseText((r, s) => new BpftraceTextParser(r, s), readFileSync(join(DIR, "intervals.txt"), "utf8"))],
    ["intervals.json", parseText((r, s) => new BpftraceJsonParser(r, s), readFileSync(join(DIR, "intervals.json"), "utf8"))]
  ] as const;
  for (const [name, {rows, result}] of runs) {
    assert.equal(result.counts.problem_lines, 0, name);
    const syscalls = rows.rows("values").filter((r) => r.map === "@syscalls" && r.t_s !== null);
    assert.deepEqual(syscalls.map((r) => r.t_s).slice(0, 3), [0, 1, 2], `${name}: one interval a second`);
    assert.ok(syscalls.every((r) => /^\d\d:\d\d:\d\d$/.test(String(r.wall_time))), name);
    const byComm = new Set(rows.rows("values").filter((r) => r.map === "@by_comm").map((r) => r.t_s));
    assert.deepEqual([...byComm], [0, 1, 2], `${name}: keyed maps too`);
  }
});

test("a snoop tool's table in -f json (syncsnoop.bt, recorded here): a row printed as time() then printf() is one event", () => {
  const {rows, result} = parseText((r, s) => new BpftraceJsonParser(r, s), readFileSync(join("test", "fixtures", "tools", "syncsnoop.json"), "utf8"));
  assert.ok(reconciles(result.counts));
  assert.deepEqual(rows.rows("problems"), []);
  const events = rows.rows("events");
  assert.ok(events.length > 20, `${events.length} fsync events`);
  assert.deepEqual(events[0].names, ["TIME", "PID", "COMM", "EVENT"]);
  assert.ok(events.every((e) => e.comm === "demo-validator" && e.op === "tracepoint:syscalls:sys_enter_fsync" && typeof e.time_s === "number"));
  // One JSON line per event accounted once: the time() half is a tool line, the printf half the data.
  assert.equal(result.counts.data_lines, events.length + 1, "the rows and the header");
});

test("syncsnoop.bt's JSON is recognized and answers durability like its text", async () => {
  const {fixtureBundle} = await import("./helpers.js");
  const {runFindings} = await import("../loaders/findings/index.js");
  const {summary, db} = await fixtureBundle({"syncsnoop.json": join("test", "fixtures", "tools", "syncsnoop.json")}, {target: ["demo-validator"]});
  assert.equal(summary.files[0].tool, "syncsnoop.bt");
  const [fsync] = (await runFindings(db.query)).filter((f) => f.id === "durability.fsync");
  db.close();
  assert.equal(fsync.verdict, "target fsyncs");
  assert.match(fsync.narrative, /^From syncsnoop\.json \(syncsnoop\.bt\): demo-validator's threads called fsync\/fdatasync \d+ times/);
});

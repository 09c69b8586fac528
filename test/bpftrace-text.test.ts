import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {readLines} from "../loaders/lines.js";
import {BpftraceTextParser} from "../loaders/parse/bpftrace-text.js";
import {formatBound, parseBucket} from "../loaders/parse/buckets.js";
import {Collector, parseText, reconciles, tempDir} from "./helpers.js";

const parse = (text: string) => parseText((ref, sink) => new BpftraceTextParser(ref, sink), text);

test("hist buckets: [0], [1], [2, 4), K/M suffixes as powers of 1024, the negative bucket", () => {
  const {rows, result} = parse(`Attaching 1 probe...

@lat_us:
(..., 0)               1 |@                   |
[0]                    2 |@@                  |
[1]                    3 |@@@                 |
[2, 4)                 4 |@@@@                |
[4K, 8K)               5 |@@@@@               |
[1M, 2M)               6 |@@@@@@              |
`);
  const h = rows.rows("histograms");
  assert.deepEqual(
    h.map((r) => [r.lo, r.hi, r.count]),
    [[null, 0, 1], [0, 1, 2], [1, 2, 3], [2, 4, 4], [4096, 8192, 5], [1048576, 2097152, 6]]
  );
  assert.equal(h[0].unit, "us");
  assert.equal(h[0].key, null);
  assert.equal(rows.rows("problems").length, 0);
  assert.ok(reconciles(result.counts));
  assert.equal(result.counts.tool_lines, 1);
});

test("lhist buckets with open ends", () => {
  const {rows} = parse(`Attaching 1 probe...
@sizes_bytes[write]:
(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[0, 10)                7 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[10, 20)               0 |                                                    |
[100, ...)             2 |@@@@@@@@@@@@@@@                                     |
`);
  assert.deepEqual(
    rows.rows("histograms").map((r) => [r.lo, r.hi, r.count, r.unit, r.key]),
    [[null, 0, 1, "bytes", "write"], [0, 10, 7, "bytes", "write"], [10, 20, 0, "bytes", "write"], [100, null, 2, "bytes", "write"]]
  );
});

test("values: scalars, keyed counts, stats() and text values", () => {
  const {rows, result} = parse(`Attaching 2 probes...
@x: 5
@calls[alloy]: 6
@neg[a]: -3
@st[read]: count 7, average 1, total 7
@name[1]: hello world
`);
  const v = rows.rows("values");
  assert.deepEqual(
    v.map((r) => [r.map, r.key, r.stat, r.value, r.text]),
    [
      ["@x", null, "value", 5, null],
      ["@calls", "alloy", "value", 6, null],
      ["@neg", "a", "value", -3, null],
      ["@st", "read", "count", 7, null],
      ["@st", "read", "average", 1, null],
      ["@st", "read", "total", 7, null],
      ["@name", "1", "value", null, "hello world"]
    ]
  );
  assert.ok(reconciles(result.counts));
  assert.equal(result.counts.data_lines, 5);
});

test("multi-key maps keep key parts with ':', '[' and ']' intact", () => {
  const {rows} = parse(`Attaching 1 probe...
@op_by_thread[runc:[0:PARENT], tracepoint:syscalls:sys_enter_write]: 18
@op_by_thread[6, tracepoint:syscalls:sys_enter_write]: 6
`);
  const [a, b] = rows.rows("values");
  assert.deepEqual(a.key_parts, ["runc:[0:PARENT]", "tracepoint:syscalls:sys_enter_write"]);
  assert.equal(a.key, "runc:[0:PARENT], tracepoint:syscalls:sys_enter_write");
  assert.deepEqual(b.key_parts, ["6", "tracepoint:syscalls:sys_enter_write"]);
});

test("stacks: as a whole key, as part of a multi-key, and stored as a value", () => {
  const {rows, result} = parse(`Attaching 3 probes...
@ks[254072]:
        leaf_fn+20
        mid_fn+4
        root_fn+8
@offcpu_us[
    leaf+1
    root+2
]: 1500
@by_thread[tokio-rt-worker,
    leaf+1
    root+2
]: 7
`);
  const s = rows.rows("stacks");
  assert.equal(s.length, 3);
  assert.deepEqual(s[0].frames, ["root_fn+8", "mid_fn+4", "leaf_fn+20"], "root first");
  assert.equal(s[0].key, "254072");
  assert.equal(s[0].bookkeeping, true);
  assert.equal(s[0].value, null);
  assert.deepEqual([s[1].map, s[1].key, s[1].value, s[1].unit], ["@offcpu_us", null, 1500, "us"]);
  assert.deepEqual(s[1].frames, ["root+2", "leaf+1"]);
  assert.deepEqual([s[2].key, s[2].value], ["tokio-rt-worker", 7]);
  assert.equal(rows.rows("problems").length, 0);
  assert.ok(reconciles(result.counts));
  assert.equal(result.counts.data_lines, 4 + 4 + 4);
});

test("a map+key printed twice is two series", () => {
  const {rows} = parse(`Attaching 1 probe...
@bytes[W]: 10
@bytes[W]: 20
@h[W]:
[1]                    1 |@|

@h[W]:
[1]                    2 |@|
`);
  assert.deepEqual(rows.rows("values").map((r) => [r.series, r.value]), [[1, 10], [2, 20]]);
  assert.deepEqual(rows.rows("histograms").map((r) => [r.series, r.count]), [[1, 1], [2, 2]]);
});

test("tool lines are recorded as messages, printf output too, never as data", () => {
  const {rows, result} = parse(`Attaching 5 probes...
done
Lost 12 events
WARNING: something odd
@x: 1
`);
  assert.deepEqual(rows.rows("messages").map((m) => [m.line, m.kind]), [[1, "tool"], [2, "printf"], [3, "tool"], [4, "tool"]]);
  assert.equal(result.counts.tool_lines, 4);
  assert.equal(rows.rows("values").length, 1);
});

test("damaged input: bad counts, stray buckets, garbage and a cut file become problems; good parts survive", () => {
  const {rows, result} = parse(`Attaching 1 probe...
@h:
[1]                    1 |@|
[2, 4)               abc |@|
[4, 8)                 3 |@|

[8, 16)                4 |@|
\u0000\u0001\u0002garbage\ufffd
@good: 42
@open[
    frame+1`);
  const problems = rows.rows("problems");
  assert.deepEqual(
    problems.map((p) => [p.line, p.reason]),
    [
      [4, "non-numeric count 'abc'"],
      [7, "histogram bucket outside a histogram"],
      [8, "binary or undecodable data"],
      [10, "map key opened at line 10 never closed with ']:'"],
      [11, "map key opened at line 10 never closed with ']:'"]
    ]
  );
  assert.deepEqual(rows.rows("histograms").map((r) => r.count), [1, 3]);
  assert.deepEqual(rows.rows("values").map((r) => r.value), [42]);
  assert.ok(reconciles(result.counts));
  assert.equal(result.counts.problem_lines, problems.length);
});

test("a file that is not bpftrace output is unrecognized, with a problem at line 1", () => {
  const {rows, result} = parse("time,value\n1,2\n");
  assert.equal(result.recognized, false);
  assert.equal(rows.rows("problems")[0].line, 1);
  assert.match(String(rows.rows("problems")[0].reason), /not bpftrace output/);
});

test("an empty file yields no rows and no error", () => {
  const {rows, result} = parse("");
  assert.equal(result.counts.lines, 0);
  assert.equal(Object.keys(rows.tables).length, 0);
});

test("a multi-megabyte line is cut and recorded, and the next line still parses", async () => {
  const dir = tempDir("longline");
  const path = join(dir, "long.txt");
  writeFileSync(path, `Attaching 1 probe...\n@x: ${"9".repeat(3_000_000)}\n@y: 2\n`);
  const rows = new Collector();
  const parser = new BpftraceTextParser({capture_id: "t", file: "long.txt"}, rows);
  for await (const line of readLines(path)) parser.push(line);
  const result = parser.end();
  assert.equal(rows.rows("problems").length, 1);
  assert.equal(rows.rows("problems")[0].line, 2);
  assert.match(String(rows.rows("problems")[0].reason), /line longer than/);
  assert.deepEqual(rows.rows("values").map((r) => r.value), [2]);
  assert.ok(reconciles(result.counts));
});

// Round trip: histograms and maps rendered as bpftrace prints them parse back unchanged.
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

test("round trip: random hist() and count maps rendered in bpftrace's format parse back", () => {
  const random = rng(42);
  for (let trial = 0; trial < 200; trial++) {
    const keys = Array.from({length: 1 + Math.floor(random() * 4)}, (_, i) => `k${i}:[${Math.floor(random() * 9)}]`);
    const expected: [string, number | null, number | null, number][] = [];
    const values: [string, number][] = [];
    let text = "Attaching 2 probes...\n\n";
    for (const key of keys) {
      text += `@lat_us[${key}]: \n`;
      const first = Math.floor(random() * 20);
      const n = 1 + Math.floor(random() * 8);
      for (let b = first; b < first + n; b++) {
        const [lo, hi] = b === 0 ? [0, 1] : [2 ** (b - 1), 2 ** b];
        const label = b === 0 ? "[0]" : b === 1 ? "[1]" : `[${formatBound(lo)}, ${formatBound(hi)})`;
        const count = Math.floor(random() * 100000);
        text += `${label.padEnd(16)}${String(count).padStart(8)} |@@@@                                                |\n`;
        expected.push([key, lo, hi, count]);
      }
      text += "\n";
      const value = Math.floor(random() * 1e9) - 1e8;
      values.push([key, value]);
    }
    for (const [key, value] of values) text += `@calls[${key}]: ${value}\n`;
    const {rows, result} = parse(text);
    assert.deepEqual(rows.rows("histograms").map((r) => [r.key, r.lo, r.hi, r.count]), expected, `trial ${trial}`);
    assert.deepEqual(rows.rows("values").map((r) => [r.key, r.value]), values);
    assert.equal(rows.rows("problems").length, 0);
    assert.ok(reconciles(result.counts));
  }
});

test("bucket bounds format and parse as inverses", () => {
  for (const n of [0, 1, 3, 1000, 1024, 4096, 1536, 2 ** 20, 3 * 2 ** 30]) {
    const b = parseBucket(`[${formatBound(n)}, ${formatBound(n + 2 ** 40)})   1 |@|`);
    assert.ok(b && !("error" in b));
    assert.equal(b.lo, n);
  }
});

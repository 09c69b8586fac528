// The on-CPU timeline (loaders/findings/timeline.ts) and cpu.phases on rows made here:
// a time range's flame graph sums exactly the samples inside it, the binary form round-
// trips, and a periodic busy second is found with its period while a steady profile is not.
import assert from "node:assert/strict";
import {test} from "node:test";
import {type QueryRow, decodeTimeline, encodeTimeline, intervalHeatmapSql, quantileBucket, rangeProfile, samplesIn, subsecondGrid, timelineOf as timelineOfRows} from "../loaders/findings/index.js";
import {withFrameIds} from "./helpers.js";
import {PHASE_FACTOR, cpuPhases as phases, periodOf, phasesOf} from "../loaders/findings/phases.js";

const stacks = [
  {stack_id: 1, frames: ["main", "hash"]},
  {stack_id: 2, frames: ["main", "write"]},
  {stack_id: 7, frames: ["main", "hash", "sha256_block"]}
];
const stored = withFrameIds(stacks);
const timelineOf = (samples: QueryRow[], rows = stored.rows) => timelineOfRows(samples, rows, stored.frames);
const samples = [0.01, 0.5, 0.99, 1.0, 1.25, 2.5, 2.51, 3.98].map((t_s, i) => ({t_s, stack_id: [1, 2, 7][i % 3], samples: 1}));

test("timeline: a range's profile holds exactly its samples, per stack", () => {
  const timeline = timelineOf(samples);
  const sum = (p: ReturnType<typeof rangeProfile>) => p.stacks.reduce((s, [, n]) => s + n, 0);
  assert.equal(sum(rangeProfile(timeline)), samples.length);
  for (const [from, to] of [[0, 1], [1, 2.5], [0.5, 0.99], [2.5, 4], [5, 6]]) {
    const expected = samples.filter((s) => s.t_s >= from && s.t_s < to);
    const profile = rangeProfile(timeline, from, to);
    assert.equal(sum(profile), expected.length, `[${from}, ${to})`);
    assert.equal(samplesIn(timeline, from, to), expected.length);
    for (const [ids, n] of profile.stacks) {
      const frames = ids.map((i) => profile.frames[i]).join(";");
      const id = stacks.find((s) => s.frames.join(";") === frames)!.stack_id;
      assert.equal(n, expected.filter((s) => s.stack_id === id).length, `${frames} in [${from}, ${to})`);
    }
  }
});

test("timeline: binary form round-trips, weights kept; a sample pointing at no stack is an error", () => {
  const weighted = samples.map((s, i) => ({...s, samples: i === 2 ? 5 : 1}));
  for (const rows of [samples, weighted]) {
    const timeline = timelineOf(rows);
    const back = decodeTimeline(encodeTimeline(timeline).slice().buffer);
    assert.deepEqual(back.frames, timeline.frames);
    assert.deepEqual(back.stacks, timeline.stacks);
    assert.deepEqual([...back.t], [...timeline.t]);
    assert.deepEqual([...back.stack], [...timeline.stack]);
    assert.deepEqual(back.weight && [...back.weight], timeline.weight && [...timeline.weight]);
  }
  assert.equal(timelineOf(samples).weight, null, "all ones: no weights stored");
  assert.throws(() => timelineOf([{t_s: 0, stack_id: 99, samples: 1}]), /stack 99/);
  const bytes = encodeTimeline(timelineOf(samples));
  assert.throws(() => decodeTimeline(bytes.slice(0, bytes.length - 4).buffer), /truncated/);
});

test("timeline: FlameScope's grid puts each sample in its second and slice", () => {
  const grid = subsecondGrid(timelineOf(samples), 4);
  assert.deepEqual([grid.columns, grid.rows], [4, 4]);
  // 0.01 → (0,0); 0.5 → (0,2); 0.99 → (0,3); 1.0 → (1,0); 1.25 → (1,1); 2.5, 2.51 → (2,2); 3.98 → (3,3)
  const cells = [...grid.counts].flatMap((n, i) => (n ? [[Math.floor(i / 4), i % 4, n]] : []));
  assert.deepEqual(cells, [[0, 0, 1], [0, 2, 1], [0, 3, 1], [1, 0, 1], [1, 1, 1], [2, 2, 2], [3, 3, 1]]);
  assert.equal(grid.max, 2);
});

const evidence = [{file: "p.txt", source: "perf script", recognized: true, kind: "oncpu", window_s: 20, complete: true, status: "ok", status_reason: null}];
const perSecond = (f: (s: number) => number, n = 20) => Array.from({length: n}, (_, second) => ({second, samples: f(second)}));

test("cpu.phases: a busy second every 5 s is periodic, with the leaf that rises in it", () => {
  const seconds = perSecond((s) => (s % 5 === 2 ? 300 : 100));
  const leaves = seconds.flatMap(({second}) => [
    {second, leaf: "sha256_block", samples: second % 5 === 2 ? 200 : 10},
    {second, leaf: "write", samples: second % 5 === 2 ? 100 : 90}
  ]);
  const f = phases.evaluate({evidence, seconds, leaves});
  assert.equal(f.verdict, "periodic CPU phase every 5 s");
  assert.deepEqual(f.metrics.phases.map((p) => p.start_s), [2, 7, 12, 17]);
  assert.equal(f.metrics.period_s, 5);
  assert.equal(f.metrics.rising_leaf, "sha256_block");
  assert.match(f.narrative, /4 busy phases every 5 s: at 2 s for 1 s \(up to 300 samples a second, 3\.0× the median\)/);
  assert.match(f.narrative, /sha256_block takes 66\.7% of samples against 10\.0% outside/);
  // Change the data and the finding changes: the phases move, the rhythm breaks.
  const moved = phases.evaluate({evidence, seconds: perSecond((s) => ([3, 4, 11].includes(s) ? 300 : 100)), leaves: []});
  assert.deepEqual(moved.metrics.phases.map((p) => [p.start_s, p.duration_s]), [[3, 2], [11, 1]]);
  assert.equal(moved.metrics.period_s, null);
  assert.equal(moved.verdict, "2 CPU phases");
});

test("cpu.phases: steady within sampling noise; idle seconds count; short, missing or failed evidence cannot tell", () => {
  // 100 ± noise: 1.4× is under PHASE_FACTOR, and 130 is within 3 sd of 100 anyway.
  const steady = phases.evaluate({evidence, seconds: perSecond((s) => (s % 4 === 0 ? 130 : 100)), leaves: []});
  assert.equal(steady.verdict, "steady");
  assert.ok(PHASE_FACTOR * 100 > 130);
  // A second with no sample is an idle second (0), not a missing one: a mostly idle process
  // with a burst every 3 s has a median of 0 and its bursts are the phases; a lone sample is not.
  const sparse = phases.evaluate({evidence, seconds: [0, 3, 6, 9, 10].map((second) => ({second, samples: second === 10 ? 1 : 50})), leaves: []});
  assert.equal(sparse.metrics.seconds, 11);
  assert.equal(sparse.metrics.median_samples_per_second, 0);
  assert.deepEqual([sparse.metrics.phases.map((p) => p.start_s), sparse.metrics.period_s], [[0, 3, 6, 9], 3]);
  assert.equal(phases.evaluate({evidence, seconds: perSecond(() => 100, 3), leaves: []}).verdict, "too short to tell");
  assert.equal(phases.evaluate({evidence: [], seconds: [], leaves: []}).verdict, "no timed on-CPU samples");
  const failed = phases.evaluate({evidence: [{...evidence[0], status: "failed", status_reason: "perf exited 1"}], seconds: [], leaves: []});
  assert.equal(failed.verdict, "cannot tell: on-CPU capture failed");
});

test("cpu.phases rules: neighbouring busy seconds join; a period needs three phases at even gaps", () => {
  const series = [100, 300, 300, 100, 100, 100, 290, 100].map((samples, second) => ({second, samples}));
  assert.deepEqual(phasesOf(series, 100), [
    {start_s: 1, duration_s: 2, samples: 600, peak_samples: 300},
    {start_s: 6, duration_s: 1, samples: 290, peak_samples: 290}
  ]);
  const at = (...starts: number[]) => starts.map((start_s) => ({start_s, duration_s: 1, samples: 1, peak_samples: 1}));
  assert.equal(periodOf(at(0, 5)), null);
  assert.equal(periodOf(at(0, 5, 10, 16)), 5);
  assert.equal(periodOf(at(0, 5, 12)), null);
});

test("latency heat map in SQL: cells carry their interval's share; the p50/p99 buckets are quantileBucket's", async () => {
  const {DuckDBInstance} = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  // Three intervals: an open bucket below, a zero-count bucket, and a tail in the last.
  const rows = [
    [0, null, 64, 5], [0, 64, 128, 90], [0, 128, 256, 4], [0, 256, 512, 1],
    [1, 64, 128, 50], [1, 128, 256, 0], [1, 256, 512, 49], [1, 8192, 16384, 1],
    [2, 64, 128, 1], [2, 16384, null, 3]
  ] as const;
  const values = rows.map(([t, lo, hi, n]) => `(${t}, ${lo ?? "NULL"}, ${hi ?? "NULL"}, ${n})`).join(", ");
  const sql = intervalHeatmapSql(`SELECT * FROM (VALUES ${values}) v(t_s, lo, hi, count)`);
  const read = async (q: string) => (await connection.runAndReadAll(q)).getRowObjectsJS();
  const cells = await read(sql.cells);
  assert.equal(cells.length, rows.filter((r) => r[3] > 0).length, "empty buckets leave no cell");
  assert.deepEqual(cells.filter((c) => c.t_s === 1).map((c) => c.share), [0.5, 0.49, 0.01]);
  const quantiles = await read(sql.quantiles);
  for (const t of [0, 1, 2]) {
    const buckets = rows.filter((r) => r[0] === t).map(([, lo, hi, count]) => ({lo, hi, count}));
    for (const [name, q] of [["p50", 0.5], ["p99", 0.99]] as const) {
      const expected = quantileBucket(buckets as {lo: number | null; hi: number | null; count: number}[], q)!;
      const got = quantiles.find((r) => r.t_s === t && r.quantile === name)!;
      assert.deepEqual([got.lo, got.hi], [expected.lo, expected.hi], `${name} of interval ${t}`);
    }
  }
  connection.closeSync();
  instance.closeSync();
});

// bcc tools' text outputs (cut from bcc's documented runs, test/fixtures/bcc) through the
// whole Node path: format told by content, every line accounted for, the tool recognized,
// and the evidence views and findings fed.
import assert from "node:assert/strict";
import {join} from "node:path";
import {test} from "node:test";
import {runFindings} from "../loaders/findings/index.js";
import {fixtureBundle, namedStacks, reconciles} from "./helpers.js";

const BCC = join("test", "fixtures", "bcc");
const fixture = (name: string) => join(BCC, name);

async function one(name: string, file = name) {
  const b = await fixtureBundle({[file]: fixture(name)});
  const [summary] = b.summary.files;
  assert.ok(reconciles(summary), `${name} reconciles`);
  assert.equal(summary.problem_lines, 0, `${name}: no problem lines`);
  return {...b, summary};
}

test("biolatency: a log2 histogram in usecs with inclusive ranges, as block I/O latency", async () => {
  const {summary, db} = await one("biolatency.txt");
  assert.deepEqual([summary.format, summary.tool, summary.kind], ["bcc-histogram", "bcc biolatency", "bio"]);
  const rows = await db.query(`SELECT lo, hi, count, unit FROM histograms ORDER BY lo`);
  assert.equal(rows.length, 17);
  assert.deepEqual(rows[0], {lo: 0, hi: 2, count: 0, unit: "us"});
  assert.deepEqual(rows.find((r) => r.lo === 128), {lo: 128, hi: 256, count: 12, unit: "us"});
  assert.equal(rows.reduce((s, r) => s + Number(r.count), 0), 277);
  const [disk] = (await runFindings(db.query)).filter((f) => f.id === "disk.latency");
  assert.equal(disk.metrics.ios, 277);
  assert.deepEqual([disk.metrics.p50_lo_us, disk.metrics.p50_hi_us], [2048, 4096]);
  assert.match(disk.narrative, /From biolatency\.txt \(bcc biolatency; percentiles as the histogram buckets/);
  db.close();
});

test("biolatency -mT: five intervals, each its own series, in msecs", async () => {
  const {db} = await one("biolatency-mT.txt");
  const series = await db.query(`SELECT series, sum(count)::INTEGER AS n, any_value(unit) AS unit FROM histograms GROUP BY series ORDER BY series`);
  assert.deepEqual(series.map((s) => s.series), [1, 2, 3, 4, 5]);
  const times = await db.query(`SELECT DISTINCT series, t_s, wall_time FROM histograms ORDER BY series`);
  assert.deepEqual(times.map((t) => [t.t_s, t.wall_time]), [[0, "06:20:16"], [1, "06:20:17"], [2, "06:20:18"], [3, "06:20:19"], [4, "06:20:20"]]);
  assert.deepEqual(series.map((s) => s.n), [103, 392, 381, 794, 596]);
  assert.ok(series.every((s) => s.unit === "ms"));
  assert.equal(Number((await db.query(`SELECT max(hi_us) AS m FROM block_io_latency`))[0].m), 128_000, "msecs become µs in the view");
  db.close();
});

test("biolatency -D and -e: sections per disk, and the avg/total/count summary as values", async () => {
  const d = await one("biolatency-D.txt");
  const disks = await d.db.query(`SELECT DISTINCT key, key_name FROM histograms ORDER BY key`);
  assert.deepEqual(disks, [{key: "xvda1", key_name: "disk"}, {key: "xvdb", key_name: "disk"}, {key: "xvdc", key_name: "disk"}]);
  const [disk] = (await runFindings(d.db.query)).filter((f) => f.id === "disk.latency");
  assert.equal(disk.metrics.ios, 202 + 201 + 348, "all I/Os summed over the disks");
  d.db.close();
  const e = await one("biolatency-e.txt");
  const values = await e.db.query(`SELECT stat, value, unit FROM "values" ORDER BY stat`);
  assert.deepEqual(values, [{stat: "average", value: 663, unit: "us"}, {stat: "count", value: 25, unit: "count"}, {stat: "total", value: 16575, unit: "us"}]);
  e.db.close();
});

test("ext4dist: file-system latency per operation, never counted as block I/O", async () => {
  const {summary, db} = await one("ext4dist.txt");
  assert.deepEqual([summary.tool, summary.kind], ["bcc fs dist", "fs-latency"]);
  const ops = await db.query(`SELECT op, sum(count)::INTEGER AS n FROM file_latency GROUP BY op ORDER BY op`);
  assert.deepEqual(ops, [{op: "open", n: 1324}, {op: "read", n: 2123}, {op: "write", n: 80}]);
  assert.equal(Number((await db.query(`SELECT count(*) AS n FROM block_io_latency`))[0].n), 0);
  const [disk] = (await runFindings(db.query)).filter((f) => f.id === "disk.latency");
  assert.equal(disk.verdict, "no block-I/O capture");
  db.close();
});

test("ext4slower: an event table, latency in µs from LAT(ms), times of day as seconds", async () => {
  const {summary, db} = await one("ext4slower.txt");
  assert.deepEqual([summary.format, summary.tool], ["table", "bcc fs slower"]);
  const [first] = await db.query(`SELECT time_s, comm, pid, op, bytes, latency_us, path, names FROM events ORDER BY line LIMIT 1`);
  assert.deepEqual(first, {
    time_s: 6 * 3600 + 35 * 60 + 1,
    comm: "cron",
    pid: 16464,
    op: "R",
    bytes: 1249,
    latency_us: 16050,
    path: "common-auth",
    names: ["TIME", "COMM", "PID", "T", "BYTES", "OFF_KB", "LAT(ms)", "FILENAME"]
  });
  const exact = await db.query(`SELECT count(*)::INTEGER AS n, bool_and(exact) AS exact FROM file_latency`);
  assert.deepEqual(exact, [{n: 16, exact: true}]);
  db.close();
});

test("syncsnoop and syscount -L: sync calls by process; a count table with '[unknown: 321]'", async () => {
  const s = await one("syncsnoop.txt");
  const calls = await s.db.query(`SELECT thread, sum(calls)::INTEGER AS calls FROM fsync_calls GROUP BY thread ORDER BY calls DESC, thread LIMIT 2`);
  assert.deepEqual(calls, [{thread: "worker", calls: 15}, {thread: "journal-offline", calls: 4}]);
  s.db.close();
  const c = await one("syscount-L.txt");
  const unknown = await c.db.query(`SELECT op, count, fields FROM events WHERE op LIKE '[unknown%'`);
  assert.deepEqual(unknown, [{op: "[unknown: 321]", count: 32, fields: ["[unknown: 321]", "32", "4.965"]}]);
  assert.equal(Number((await c.db.query(`SELECT sum(calls) AS n FROM syscall_counts WHERE syscall = 'write'`))[0].n), 4);
  c.db.close();
});

test("offcputime and profile: multi-line stacks with the task as root frame, units from the banner", async () => {
  const o = await one("offcputime.txt");
  assert.deepEqual([o.summary.format, o.summary.tool, o.summary.kind], ["bcc-stacks", "bcc offcputime", "offcpu"]);
  const stacks = await namedStacks(o.db.query, `SELECT frame_ids, value, unit FROM stacks ORDER BY line`);
  assert.deepEqual(stacks[0].frames, ["chmod", "page_fault", "do_page_fault", "__do_page_fault", "handle_mm_fault", "__do_fault", "filemap_fault", "__lock_page_or_retry", "wait_on_page_bit_killable", "__wait_on_bit", "bit_wait_io", "io_schedule_timeout", "schedule_timeout", "schedule"]);
  assert.deepEqual([stacks[0].value, stacks[0].unit], [13, "us"]);
  const [offcpu] = (await runFindings(o.db.query)).filter((f) => f.id === "offcpu.breakdown");
  const total = stacks.reduce((s, r) => s + Number(r.value), 0);
  assert.equal(offcpu.metrics.total_us, total);
  assert.ok(Number(offcpu.metrics.disk_us) > 0, "io_schedule stacks count as disk");
  o.db.close();
  const p = await one("profile.txt");
  const rows = await namedStacks(p.db.query, `SELECT key, frame_ids, value, unit FROM stacks ORDER BY line`);
  assert.deepEqual(rows[0].key, "cp (9036)");
  assert.deepEqual((rows[0].frames as string[]).slice(0, 2), ["cp", "[unknown]"]);
  assert.ok(rows.every((r) => r.unit === "samples"));
  assert.equal(rows.reduce((s, r) => s + Number(r.value), 0), 11);
  p.db.close();
  const d = await one("profile-d.txt");
  const split = await namedStacks(d.db.query, `SELECT frame_ids FROM stacks ORDER BY line LIMIT 1`);
  assert.deepEqual(split[0].frames, ["dd", "__write", "entry_SYSCALL_64_fastpath", "sys_write", "__vfs_write"], "the -- separator is not a frame");
  d.db.close();
});

test("one bundle of biolatency, ext4slower and offcputime feeds disk.latency, events and offcpu.breakdown", async () => {
  const {summary, db} = await fixtureBundle({
    "a.txt": fixture("biolatency.txt"),
    "b.txt": fixture("ext4slower.txt"),
    "c.txt": fixture("offcputime.txt")
  });
  assert.equal(summary.files.reduce((s, f) => s + f.problem_lines, 0), 0);
  const byId = Object.fromEntries((await runFindings(db.query)).map((f) => [f.id, f]));
  assert.equal(byId["disk.latency"].metrics.evidence_file, "a.txt");
  assert.equal(byId["disk.latency"].verdict, "network block storage");
  assert.equal(byId["offcpu.breakdown"].metrics.evidence_file, "c.txt");
  assert.equal(Number((await db.query(`SELECT count(*) AS n FROM events WHERE file = 'b.txt'`))[0].n), 16);
  db.close();
});

test("ext4dist interval output: every operation's histogram per interval, with its time", async () => {
  const {db} = await one("ext4dist-interval.txt");
  const rows = await db.query(`SELECT t_s, count(DISTINCT key)::INTEGER AS ops, sum(count)::INTEGER AS n FROM histograms GROUP BY t_s ORDER BY t_s`);
  assert.deepEqual(rows.map((r) => r.t_s), [0, 1, 2, 3, 4]);
  assert.ok(rows.every((r) => Number(r.ops) >= 2), "several operations per interval");
  const whole = await db.query(`SELECT sum(count)::INTEGER AS n FROM file_latency`);
  assert.equal(whole[0].n, rows.reduce((s, r) => s + Number(r.n), 0), "the whole window sums its intervals");
  db.close();
});

test("latency.bursts: a steady tail in biolatency -mT, and a burst when one interval's p99 jumps", async () => {
  const steady = await one("biolatency-mT.txt");
  const [s] = (await runFindings(steady.db.query)).filter((f) => f.id === "latency.bursts");
  steady.db.close();
  assert.equal(s.verdict, "steady tail");
  assert.equal(s.metrics.intervals, 5);
  assert.match(s.narrative, /5 intervals of 2,266 I\/Os: p99 per interval from 8–16 ms to 64–128 ms, median interval 64–128 ms; no interval with 100 I\/Os or more has its p99 at 2× the median interval's/);
  // Six one-second intervals: p99 under 1 ms, except 3 s and 4 s where it is 32–64 ms.
  const {mkdtempSync, writeFileSync} = await import("node:fs");
  const {tmpdir} = await import("node:os");
  const interval = (clock: string, slow: number) =>
    `${clock}\n     usecs               : count     distribution\n       256 -> 511        : 500      |*****|\n     32768 -> 65535      : ${slow}        |*|\n`;
  const text = ["Tracing block device I/O... Hit Ctrl-C to end.", interval("10:00:00", 0), interval("10:00:01", 0), interval("10:00:02", 0), interval("10:00:03", 40), interval("10:00:04", 60), interval("10:00:05", 0)].join("\n");
  const path = join(mkdtempSync(join(tmpdir(), "bursts-")), "bio.txt");
  writeFileSync(path, text);
  const b = await fixtureBundle({"bio.txt": path});
  const [burst] = (await runFindings(b.db.query)).filter((f) => f.id === "latency.bursts");
  b.db.close();
  assert.equal(burst.verdict, "1 latency burst");
  assert.deepEqual(burst.metrics.bursts, [{start_s: 3, duration_s: 2, intervals: 2, peak_p99_lo_us: 32768, peak_p99_hi_us: 65536, ios: 1100}]);
  assert.match(burst.narrative, /One burst with p99 at least 2× the median interval's: at 3 s for 2 s \(p99 up to 32–64 ms\), holding 35\.5% of the I\/Os/);
  assert.equal(burst.severity, "warning");
});

test("offcputime -d: the frames before `--` are the kernel's, counted at the leaf end", async () => {
  const {BccStacksParser} = await import("../loaders/parse/bcc-stacks.js");
  const {parseText} = await import("./helpers.js");
  const {rows} = parseText(
    (r, s) => new BccStacksParser(r, s),
    `Tracing off-CPU time (us) of all threads by user + kernel stack... Hit Ctrl-C to end.

    finish_task_switch
    schedule
    --
    read
    -                dd (25036)
        9
`
  );
  assert.deepEqual(rows.rows("stacks").map((s) => [s.frames, s.kernel_frames]), [[["dd", "read", "schedule", "finish_task_switch"], 2]]);
});

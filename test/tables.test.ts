// Whole-table rules that only hold once rows are in DuckDB: ambiguous multi-key splits.
import assert from "node:assert/strict";
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {convertToParquet} from "../loaders/convert.js";
import {FRAME_NAMES} from "../loaders/findings/frames.js";
import {openTables} from "../loaders/findings/node.js";
import {sqlString} from "../loaders/sql.js";
import {tempDir} from "./helpers.js";

test("a key part holding ', ' is flagged ambiguous and kept whole; clean keys are not", async () => {
  const bundle = join(tempDir("amb"), "amb");
  mkdirSync(bundle);
  writeFileSync(
    join(bundle, "04-writepath-syscalls.txt"),
    `Attaching 1 probe...
@op[node, write]: 3
@op[weird, name, write]: 4
@calls[alloy]: 1
@calls[a, b]: 2
`
  );
  const out = join(tempDir("amb-out"), "t");
  await convertToParquet(bundle, out);
  const db = await openTables(out);
  const rows = await db.query(`SELECT map, key, key_parts, key_ambiguous FROM "values" ORDER BY line`);
  db.close();
  assert.deepEqual(rows, [
    {map: "@op", key: "node, write", key_parts: ["node", "write"], key_ambiguous: false},
    {map: "@op", key: "weird, name, write", key_parts: ["weird", "name", "write"], key_ambiguous: true},
    {map: "@calls", key: "alloy", key_parts: ["alloy"], key_ambiguous: false},
    {map: "@calls", key: "a, b", key_parts: ["a, b"], key_ambiguous: true}
  ]);
});

test("stacks are stored normalised: each frame once, every id named, the parsers' stacks exactly", async () => {
  const {readBundle} = await import("../loaders/bundle.js");
  const {convertBundle} = await import("../loaders/convert.js");
  const {Collector, namedStacks} = await import("./helpers.js");
  // The embedded capture's off-CPU stacks and perf samples, plus a folded file large enough
  // for DuckDB to read it itself, sharing frame names with the others.
  const bundle = join(tempDir("norm"), "norm");
  mkdirSync(bundle);
  const demo = join("data", "captures", "demo-fsync");
  for (const f of ["03-offcpu.txt", "05-oncpu.perf-script.txt"]) copyFileSync(join(demo, f), join(bundle, f));
  // A kernel frame as offcpu.bt printed it, so one name reaches the frames table both ways.
  const shared = readFileSync(join(demo, "03-offcpu.txt"), "utf8").split("\n").find((l) => /^\s+\S/.test(l))!.trim();
  writeFileSync(join(bundle, "06-more.folded"), Array.from({length: 3000}, (_, i) => `main;${shared};f${i % 40};leaf${i % 7} ${i + 1}`).join("\n") + "\n");
  const out = join(tempDir("norm-out"), "t");
  await convertToParquet(bundle, out);
  const db = await openTables(out);
  const [shape] = await db.query(`SELECT (SELECT count(*) FROM frames) AS frames, (SELECT count(DISTINCT name) FROM frames) AS names,
    (SELECT max(frame_id) FROM frames) AS max_id,
    (SELECT count(*) FROM (SELECT unnest(frame_ids) AS id FROM stacks) WHERE id NOT IN (SELECT frame_id FROM frames)) AS orphans,
    (SELECT count(DISTINCT file) FROM stacks) AS files`);
  assert.deepEqual(shape, {frames: shape.names, names: shape.names, max_id: shape.names, orphans: 0, files: 3});
  assert.ok(Number(shape.names) > 40, "frames from all three files");
  assert.equal((await db.query(`SELECT count(*) AS n FROM frames WHERE name = ${sqlString(shared)}`))[0].n, 1, "a name in two files, one frame");
  const stored = await namedStacks(db.query, `SELECT file, stack_id, frame_ids FROM stacks ORDER BY file, stack_id`);
  db.close();
  const parsed = new Collector();
  await convertBundle(readBundle(bundle), parsed);
  const expected = parsed.rows("stacks").map((s) => ({file: s.file, stack_id: s.stack_id, frames: s.frames})).sort((a, b) => String(a.file).localeCompare(String(b.file)) || Number(a.stack_id) - Number(b.stack_id));
  assert.deepEqual(stored, expected);
});

test("frame names that differ only in lone surrogates (JSON escapes) are stored once, as valid text", async () => {
  const bundle = join(tempDir("surrogate"), "s");
  mkdirSync(bundle);
  const map = (key: string, n: number) => JSON.stringify({type: "map", data: {"@stacks": {[key]: n}}});
  // Two stacks whose second frame holds a different lone surrogate each, and a third frame
  // already spelled as the replacement character.
  writeFileSync(
    join(bundle, "03-offcpu.json"),
    [map("\n    root+1\n    bad\ud800+2\n", 1), map("\n    root+1\n    bad\udc00+2\n    bad\ufffd+2\n", 2)].join("\n") + "\n"
  );
  const out = join(tempDir("surrogate-out"), "t");
  await convertToParquet(bundle, out, {strict: false});
  const db = await openTables(out);
  const frames = await db.query(`SELECT frame_id, name FROM frames ORDER BY frame_id`);
  const stacks = await db.query(`SELECT frame_ids FROM stacks ORDER BY line`);
  db.close();
  assert.deepEqual(frames.map((f) => f.name).sort(), ["bad\ufffd+2", "root+1"].sort());
  const bad = frames.find((f) => f.name === "bad\ufffd+2")!.frame_id;
  assert.ok(stacks.every((s) => (s.frame_ids as number[]).includes(Number(bad))));
  assert.equal(stacks.length, 2);
});

test("an opened bundle reads its frame dictionary once, and gives every caller the rows a fresh read gives", async () => {
  const tables = join(tempDir("frame-names"), "t");
  await convertToParquet(join("data", "captures", "demo-fsync"), tables);
  const db = await openTables(tables);
  try {
    const [first, again] = [await db.query(FRAME_NAMES), await db.query(FRAME_NAMES)];
    assert.equal(first, again, "the same rows, not read twice");
    assert.ok(first.length > 100, `${first.length} frames`);
    assert.deepEqual(first, await db.query(`${FRAME_NAMES} -- read again`));
  } finally {
    db.close();
  }
});

// Whole-table rules that only hold once rows are in DuckDB: ambiguous multi-key splits.
import assert from "node:assert/strict";
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {convertToParquet} from "../loaders/convert.js";
import {openTables} from "../loaders/findings/node.js";
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

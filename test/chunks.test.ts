// Rows handed to DuckDB a data chunk at a time must read back exactly as given: every
// column type, nulls, empty and long lists, strings DuckDB must repair, across chunk ends.
import assert from "node:assert/strict";
import {test} from "node:test";
import {DuckDBInstance} from "@duckdb/node-api";
import {CHUNK_ROWS, ChunkAppender} from "../loaders/chunks.js";
import type {Column} from "../loaders/model.js";

type Row = Record<string, unknown>;

const columns: Column[] = [
  {name: "s", type: "VARCHAR", doc: ""},
  {name: "i", type: "INTEGER", doc: ""},
  {name: "b", type: "BIGINT", doc: ""},
  {name: "d", type: "DOUBLE", doc: ""},
  {name: "t", type: "BOOLEAN", doc: ""},
  {name: "sl", type: "VARCHAR[]", doc: ""},
  {name: "il", type: "INTEGER[]", doc: ""}
];

/** Row n: a null in a different column on every seventh row, lists of varying length (some long). */
function row(n: number): Row {
  const nullAt = n % 7 === 0 ? (n / 7) % columns.length : -1;
  const value: Row = {
    s: `thread-${n}${n % 5 === 0 ? " with a longer name past DuckDB's inline limit" : ""}`,
    i: n - 3000,
    b: n * 1_000_000_007,
    d: n / 8,
    t: n % 3 === 0,
    sl: Array.from({length: n % 4}, (_, k) => `part ${k} of ${n}`),
    il: Array.from({length: n % 300 === 1 ? 5000 : n % 9}, (_, k) => n + k)
  };
  if (nullAt >= 0) value[columns[nullAt].name] = null;
  return value;
}

async function roundTrip(rows: Row[]): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TABLE t (n INTEGER, ${columns.map((c) => `${c.name} ${c.type}`).join(", ")})`);
    const appender = await connection.createAppender("t");
    const all: Column[] = [{name: "n", type: "INTEGER", doc: ""}, ...columns];
    // Flushed into the table after every chunk, so rows also cross appender flushes.
    const chunks = new ChunkAppender(appender, all, all.map((c) => (r: Row) => r[c.name]), {flushEvery: CHUNK_ROWS});
    for (const r of rows) chunks.add(r);
    chunks.close();
    const result = await connection.runAndReadAll(`SELECT * FROM t ORDER BY n`);
    return result.getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

test("every column type reads back as appended, nulls and lists included, across chunk boundaries", async () => {
  const count = CHUNK_ROWS * 2 + 77;
  const given: Row[] = Array.from({length: count}, (_, n) => ({n, ...row(n)}));
  const read = await roundTrip(given);
  assert.equal(read.length, count);
  for (let n = 0; n < count; n++) {
    const expected = {...given[n], b: given[n].b === null ? null : BigInt(given[n].b as number)};
    assert.deepEqual(read[n], expected, `row ${n}`);
  }
});

test("a string with a lone surrogate is stored as valid text, the surrogate replaced", async () => {
  const [read] = await roundTrip([{n: 1, s: "a\ud800b", sl: ["x\udc00"], i: 0, b: 0, d: 0, t: false, il: []}]);
  assert.equal(read.s, "a\ufffdb");
  assert.deepEqual(read.sl, ["x\ufffd"]);
});

test("a value that is not a 32-bit integer is refused, not wrapped", async () => {
  await assert.rejects(roundTrip([{n: 2 ** 31}]), /not a 32-bit integer: 2147483648/);
  await assert.rejects(roundTrip([{n: 1, il: [1.5]}]), /not a 32-bit integer: 1\.5/);
});

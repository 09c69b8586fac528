// Hive-partitioned export: many hosts' captures read back as one table per kind, with
// host and capture from the path, row for row what each bundle's own tables hold.
import assert from "node:assert/strict";
import {cpSync, existsSync, readFileSync, readdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {DuckDBInstance} from "@duckdb/node-api";
import {FLEET_QUERIES, exportBundles, partitionValue} from "../loaders/export.js";
import {cli, tempDir} from "./helpers.js";

test("partition values stay one plain path segment", () => {
  assert.equal(partitionValue("vm-1.example"), "vm-1.example");
  assert.equal(partitionValue("../etc"), "..%2Fetc");
  assert.equal(partitionValue(".."), "%2E%2E");
  assert.equal(partitionValue("a b/<c>"), "a%20b%2F%3Cc%3E");
  assert.equal(partitionValue(null), "unknown");
});

test("export writes table=/host=/capture= parts that DuckDB reads as one fleet table", async () => {
  const captures = tempDir("fleet");
  cpSync(join("data", "captures", "demo-fsync"), join(captures, "validator-a"), {recursive: true});
  cpSync(join("data", "captures", "demo-nofsync"), join(captures, "validator-b"), {recursive: true});
  // Give b another, hostile host name: it must stay inside its own partition folder.
  const context = join(captures, "validator-b", "00-context.txt");
  writeFileSync(context, readFileSync(context, "utf8").replace(/^Linux vm /m, "Linux ../b<x> "));
  const to = join(tempDir("fleet-out"), "tables");
  const result = await cli(["export", join(captures, "validator-a"), join(captures, "validator-b"), "--to", to]);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(readdirSync(join(to, "table=stacks")).sort(), ["host=..%2Fb%3Cx%3E", "host=vm"]);
  assert.ok(existsSync(join(to, "table=stacks", "host=vm", "capture=validator-a", "part.parquet")));

  const db = await (await DuckDBInstance.create(":memory:")).connect();
  const rows = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJS();
  const fleet = await rows(`
    SELECT host, capture, count(*) AS n FROM read_parquet('${to}/table=stacks/*/*/*.parquet', hive_partitioning = true)
    GROUP BY ALL ORDER BY capture`);
  // Each capture's rows, counted from its own export result.
  const parts = await exportBundles([join(captures, "validator-a"), join(captures, "validator-b")], join(tempDir("fleet-again"), "t"));
  const expected = parts.filter((p) => p.table === "stacks").map((p) => ({host: decodeURIComponent(p.host), capture: p.capture, n: BigInt(p.rows)}));
  // DuckDB undoes the %XX escaping: the host reads back exactly as the context stated it.
  assert.deepEqual(fleet, expected);
  assert.deepEqual(fleet.map((r) => r.host), ["vm", "../b<x>"]);
  assert.ok(expected.every((e) => e.n > 0n));

  // The evidence views are exported too: a fleet question reads what was measured. Each
  // capture's fsync_calls rows, as its own DuckDB computes them from its tables.
  const {openTables} = await import("../loaders/findings/node.js");
  const {tablesFor} = await import("../loaders/cache.js");
  for (const id of ["validator-a", "validator-b"]) {
    const own = await openTables(await tablesFor(join(captures, id)));
    const [{calls}] = await own.query("SELECT coalesce(sum(calls), 0)::DOUBLE AS calls FROM fsync_calls");
    own.close();
    const [{exported}] = await rows(`SELECT coalesce(sum(calls), 0)::DOUBLE AS exported FROM read_parquet('${to}/table=fsync_calls/*/*/*.parquet', hive_partitioning = true) WHERE capture = '${id}'`);
    assert.equal(exported, calls, id);
  }
  const [{a}] = await rows(`SELECT sum(calls) AS a FROM read_parquet('${to}/table=fsync_calls/*/*/*.parquet', hive_partitioning = true) WHERE capture = 'validator-a'`);
  assert.ok(Number(a) > 0, "validator-a fsyncs");

  // docs/scale.md's fleet questions, against each bundle's own findings.
  const {findingsForTables} = await import("../loaders/findings/node.js");
  const findings = Object.fromEntries(
    await Promise.all(["validator-a", "validator-b"].map(async (id) => [id, Object.fromEntries((await findingsForTables(await tablesFor(join(captures, id)))).map((f) => [f.id, f]))] as const))
  );
  const never = await rows(FLEET_QUERIES.neverFsync(to));
  assert.deepEqual(never.map((r) => r.capture), ["validator-a", "validator-b"].filter((id) => findings[id]["durability.fsync"].metrics.target_fsync_calls === 0));
  assert.deepEqual(never.map((r) => r.host), ["../b<x>"]);
  const p99 = await rows(FLEET_QUERIES.p99ByHost(to));
  for (const r of p99) {
    const m = findings[r.capture as string]["disk.latency"].metrics;
    assert.deepEqual([r.p99_lo_us, r.p99_hi_us], [m.p99_lo_us, m.p99_hi_us], `${r.capture}: the finding's p99 bucket`);
  }
  assert.equal(p99.length, 2);
});

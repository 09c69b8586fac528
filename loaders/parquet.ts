// Rows → Parquet through the DuckDB node API: an in-memory DuckDB takes rows a data
// chunk at a time (loaders/chunks.ts; streamed, no more than a chunk held), settles what needs the whole table (key
// ambiguity), then COPYs each table to Parquet. Files are written to a temporary
// folder and renamed into place, so a failed write never leaves a partial table.
// DuckDB's memory is capped and spills to a private temporary folder, so a 1 GB capture
// converts in bounded memory. Stacks are normalised on the way in: each distinct frame
// name is stored once in `frames` and a stack as its frames' ids (loaders/model.ts).

import {DuckDBConnection, DuckDBInstance} from "@duckdb/node-api";
import {existsSync, mkdirSync, mkdtempSync, renameSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {basename, dirname, join} from "node:path";
import type {BulkTarget} from "./parse/folded-bulk.js";
import {ChunkAppender} from "./chunks.js";
import {type Row, type RowSink, type TableName, schemas, tableNames} from "./model.js";
import {sqlIdentifier, sqlString} from "./sql.js";
import {threadsOption} from "./duckdb-threads.js";
import {sweepDead} from "./alive.js";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** DuckDB's share of memory while converting; beyond it, it spills to disk. */
export const MEMORY_LIMIT = process.env.BPFBOOK_MEMORY_LIMIT || "128MB";

// Appenders hold rows outside DuckDB's memory limit until flushed: flush often, so the
// table (which spills to disk past the limit) holds them instead.
const FLUSH_EVERY = 20_000;

// Tables with rows read by DuckDB itself (large folded files) are written in small row
// groups: DuckDB writes frame lists several times faster at 20k rows than at its default
// 122,880. Not for the others: a 1 GB bpftrace capture's stacks ran out of memory so.
const BULK_ROW_GROUP_SIZE = 20_000;

export class ParquetWriter implements RowSink, BulkTarget {
  private chunks = new Map<TableName, ChunkAppender>();
  private bulkStacks: {select: string; names: string}[] = [];
  /** Frame name → id: 1, 2, … in order of first appearance (a writer holds one bundle). */
  private frameIds = new Map<string, number>();
  private lastFrameId = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly spill: string
  ) {}

  static async open(): Promise<ParquetWriter> {
    const spill = mkdtempSync(join(tmpdir(), "bpfbook-spill-"));
    const instance = await DuckDBInstance.create(":memory:", {memory_limit: MEMORY_LIMIT, temp_directory: spill, ...threadsOption()});
    const connection = await instance.connect();
    const writer = new ParquetWriter(instance, connection, spill);
    for (const name of tableNames) {
      const columns = schemas[name].columns;
      await connection.run(`CREATE TABLE ${sqlIdentifier(name)} (${columns.map((c) => `${sqlIdentifier(c.name)} ${c.type}`).join(", ")})`);
      const sources = columns.map((c) => {
        const from = c.internsFrom;
        return from ? (row: Row) => writer.intern(String(row.capture_id), row[from] as string[]) : (row: Row) => row[c.name];
      });
      writer.chunks.set(name, new ChunkAppender(await connection.createAppender(name), columns, sources, {flushEvery: FLUSH_EVERY}));
    }
    return writer;
  }

  emit(table: TableName, row: Row): void {
    this.chunks.get(table)!.add(row);
  }

  /** The ids of `names`, adding each name not seen before to the frames table. */
  private intern(capture_id: string, names: string[]): number[] {
    return names.map((name) => {
      let id = this.frameIds.get(name);
      if (id === undefined) {
        // Stored as valid text: names differing only in lone surrogates (JSON escapes) are
        // one frame, so the frames table never holds a name twice.
        const stored = name.replace(LONE_SURROGATE, "\ufffd");
        id = stored === name ? undefined : this.frameIds.get(stored);
        if (id === undefined) {
          id = ++this.lastFrameId;
          this.frameIds.set(stored, id);
          this.emit("frames", {capture_id, frame_id: id, name: stored});
        }
        this.frameIds.set(name, id);
      }
      return id;
    });
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async one(sql: string): Promise<Record<string, unknown>> {
    const [row] = (await this.connection.runAndReadAll(sql)).getRowObjectsJS();
    return row;
  }

  addBulkStacks(select: string, names: string): void {
    this.bulkStacks.push({select, names});
  }

  /** Flush appenders and run the whole-table fix-ups. */
  async settle(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    for (const chunks of this.chunks.values()) chunks.close();
    this.chunks.clear();
    for (const table of ["histograms", "values"]) {
      // A key splitting into more parts than the map's other keys has a part holding ", ":
      // keep the raw key, flag it, and for one-part maps keep it whole.
      await this.connection.run(`
        UPDATE ${sqlIdentifier(table)} AS t SET
          key_ambiguous = true,
          key_parts = CASE WHEN a.arity = 1 THEN [t.key] ELSE t.key_parts END
        FROM (SELECT capture_id, file, map, min(len(key_parts)) AS arity
              FROM ${sqlIdentifier(table)} WHERE key IS NOT NULL GROUP BY ALL) AS a
        WHERE t.capture_id = a.capture_id AND t.file = a.file AND t.map = a.map
          AND t.key IS NOT NULL AND len(t.key_parts) > a.arity`);
    }
  }

  /** Write every table to `<dir>/<table>.parquet`, atomically per folder. */
  async writeTo(dir: string): Promise<void> {
    sweepAbandoned(dir);
    await this.settle();
    const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(temp, {recursive: true});
    try {
      await this.internBulkFrames();
      for (const name of tableNames) {
        const bulk = name === "stacks" ? this.bulkStacks.map(({select}) => withFrameIds(select)) : [];
        const rows = [`SELECT * FROM ${sqlIdentifier(name)}`, ...bulk].join(" UNION ALL ");
        const options = `FORMAT parquet, COMPRESSION zstd${bulk.length > 0 ? `, ROW_GROUP_SIZE ${BULK_ROW_GROUP_SIZE}` : ""}`;
        await this.copy(`COPY (${rows}) TO ${sqlString(join(temp, `${name}.parquet`))} (${options})`);
      }
      swapInto(temp, dir);
    } catch (error) {
      rmSync(temp, {recursive: true, force: true});
      throw error;
    } finally {
      this.close();
    }
  }

  /**
   * Adds the frames of the stacks DuckDB reads itself (folded-bulk.ts) to the frames
   * table, new names numbered after the others in name order (so ids are the same run
   * to run), and makes the whole table an ENUM type: casting a stack's names to it is a
   * hash lookup, and an ENUM value's code is its frame id less one (withFrameIds).
   */
  private async internBulkFrames(): Promise<void> {
    if (this.bulkStacks.length === 0) return;
    const names = this.bulkStacks.map(({names}) => names).join(" UNION ALL ");
    await this.copy(`
      INSERT INTO frames
      SELECT capture_id, ${this.lastFrameId} + row_number() OVER (ORDER BY name), name
      FROM (SELECT any_value(capture_id) AS capture_id, name FROM (${names}) GROUP BY name) AS n
      WHERE name NOT IN (SELECT name FROM frames)`);
    await this.connection.run(`CREATE TYPE frame_name AS ENUM (SELECT name FROM frames ORDER BY frame_id)`);
  }

  /** Runs a COPY; if DuckDB runs out of memory, once more on one thread (slower, but it holds less at once). */
  private async copy(sql: string): Promise<void> {
    try {
      await this.connection.run(sql);
    } catch (error) {
      if (!/Out of Memory/i.test(String(error))) throw error;
      await this.connection.run("SET threads = 1");
      await this.connection.run(sql);
    }
  }

  private closed = false;
  private settled = false;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.spill, {recursive: true, force: true});
  }
}

/** Stack rows of a bulk select with their frame names as ids (see internBulkFrames). */
function withFrameIds(select: string): string {
  const columns = schemas.stacks.columns.map((c) =>
    c.internsFrom ? `list_transform(b.${sqlIdentifier(c.internsFrom)}::frame_name[], f -> enum_code(f)::INTEGER + 1) AS ${sqlIdentifier(c.name)}` : `b.${sqlIdentifier(c.name)}`
  );
  return `SELECT ${columns.join(", ")} FROM (${select}) AS b`;
}

/** Temporary folders beside `dir` left by a writer that was killed (its process is gone). */
function sweepAbandoned(dir: string): void {
  const prefix = basename(dir);
  sweepDead(dirname(dir), (name) => {
    const m = name.startsWith(prefix) ? /^\.(?:tmp|old)-(\d+)-\d+$/.exec(name.slice(prefix.length)) : null;
    return m ? Number(m[1]) : null;
  });
}

/** Move a finished folder into place, replacing what was there. */
function swapInto(temp: string, dir: string): void {
  try {
    renameSync(temp, dir);
    return;
  } catch (error) {
    if (!existsSync(dir)) throw error;
  }
  const old = `${dir}.old-${process.pid}-${Date.now()}`;
  renameSync(dir, old);
  renameSync(temp, dir);
  rmSync(old, {recursive: true, force: true});
}

// The evidence views: the vocabulary findings, pages and analysts query. Each view has a
// fixed set of columns and is the UNION of what every known source (sources.ts) feeds it,
// so a finding asks "how many fsync calls, by whom" without knowing which tool counted.
// The same CREATE VIEW statements run in Node (DuckDB) and in the browser (duckdb-wasm).

import {type Source, SOURCES, type ViewName} from "./sources.js";
import {sqlIdentifier, sqlString} from "../sql.js";
import {schemas, tableNames} from "../model.js";

export interface ViewColumn {
  name: string;
  type: string;
  doc: string;
}

export interface ViewSchema {
  name: ViewName | "evidence" | "syscall_names";
  doc: string;
  columns: ViewColumn[];
}

const origin: ViewColumn[] = [
  {name: "capture_id", type: "VARCHAR", doc: "Bundle id."},
  {name: "file", type: "VARCHAR", doc: "The capture file the row comes from."},
  {name: "source", type: "VARCHAR", doc: "The tool that wrote it (`captures.tool`)."}
];
const bucket = (what: string): ViewColumn[] => [
  {name: "lo_us", type: "DOUBLE", doc: `Lower bound of the ${what} bucket in µs (null: open below); for exact rows, the value.`},
  {name: "hi_us", type: "DOUBLE", doc: `Exclusive upper bound in µs (null: open above); for exact rows, the value.`},
  {name: "count", type: "DOUBLE", doc: "Events in the bucket (1 for exact rows)."}
];
const interval: ViewColumn = {name: "t_s", type: "DOUBLE", doc: "The interval the row belongs to, in seconds from the first (histograms printed per interval; events by the second of their time); null for whole-window rows."};
const exact: ViewColumn = {name: "exact", type: "BOOLEAN", doc: "True when the row is one measured event (from an event table), false for a histogram bucket."};

export const VIEWS: ViewSchema[] = [
  {
    name: "fsync_calls",
    doc: "Sync-family system calls (fsync, fdatasync, sync, syncfs, sync_file_range, msync) by caller. Sources that count without naming the caller leave `thread` null.",
    columns: [
      ...origin,
      {name: "thread", type: "VARCHAR", doc: "Thread (comm) name of the caller; null when the source does not record it."},
      {name: "pid", type: "BIGINT", doc: "Process id of the caller, where recorded."},
      {name: "syscall", type: "VARCHAR", doc: "The call (`fsync`, `fdatasync`, …; `fsync/fdatasync` where the source does not tell them apart)."},
      {name: "calls", type: "DOUBLE", doc: "Calls."},
      interval
    ]
  },
  {
    name: "fsync_latency",
    doc: "Latency of fsync/fdatasync calls, as histogram buckets in µs: all callers together (`thread` null) and, where the source splits them, per thread.",
    columns: [...origin, {name: "thread", type: "VARCHAR", doc: "Thread name for per-thread buckets; null for all callers together."}, ...bucket("latency"), interval]
  },
  {
    name: "block_io_latency",
    doc: "Block-device I/O service time (issue to completion), buckets or single events, in µs. Never file-system latency (see `file_latency`).",
    columns: [
      ...origin,
      {name: "class", type: "VARCHAR", doc: "What the rows are split by: RWBS flags, a disk, bcc's flags; null for all I/Os together."},
      ...bucket("service time"),
      exact,
      interval
    ]
  },
  {
    name: "block_io_bytes",
    doc: "Bytes moved by block I/O, by class.",
    columns: [...origin, {name: "class", type: "VARCHAR", doc: "RWBS flags or I/O type; null when not split."}, {name: "bytes", type: "DOUBLE", doc: "Bytes."}]
  },
  {
    name: "block_io_sizes",
    doc: "Block I/O sizes by process, as histogram buckets in bytes.",
    columns: [
      ...origin,
      {name: "thread", type: "VARCHAR", doc: "Process name that issued the I/O."},
      {name: "lo_bytes", type: "DOUBLE", doc: "Lower bound of the size bucket."},
      {name: "hi_bytes", type: "DOUBLE", doc: "Exclusive upper bound."},
      {name: "count", type: "DOUBLE", doc: "I/Os in the bucket."}
    ]
  },
  {
    name: "file_latency",
    doc: "File-system operation latency (VFS to file system and back: includes block I/O, locks, CPU), buckets or single events, in µs. Not block-device latency.",
    columns: [...origin, {name: "op", type: "VARCHAR", doc: "The operation: `read`, `write`, `open`, `fsync`, or `R`/`W`/`O`/`S` as the tool prints it."}, ...bucket("latency"), exact]
  },
  {
    name: "syscall_counts",
    doc: "System calls counted, by thread and call where the source says.",
    columns: [
      ...origin,
      {name: "thread", type: "VARCHAR", doc: "Thread or process name; null when the source counts by call only."},
      {name: "pid", type: "BIGINT", doc: "Process id, where recorded."},
      {name: "syscall", type: "VARCHAR", doc: "The call; null for per-process totals of all calls."},
      {name: "calls", type: "DOUBLE", doc: "Calls."},
      interval
    ]
  },
  {
    name: "offcpu_stacks",
    doc: "Time threads spent blocked (off CPU), by stack (and by thread where the source says), in µs.",
    columns: [
      ...origin,
      {name: "frame_ids", type: "INTEGER[]", doc: "Frames, root first, as ids into `frames` (same `capture_id`)."},
      {name: "us", type: "DOUBLE", doc: "Blocked time in µs."},
      {name: "thread", type: "VARCHAR", doc: "Thread name, where the source keys by thread (bpfbook's offcpu.bt, bcc's offcputime); null when summed over threads."},
      {name: "tid", type: "BIGINT", doc: "Thread id, where the source records it."},
      {name: "kernel_frames", type: "INTEGER", doc: "How many frames at the leaf end are the kernel's (`stacks.kernel_frames`; every frame for sources that record kernel stacks only); null when unknown."}
    ]
  },
  {
    name: "oncpu_stacks",
    doc: "On-CPU samples by stack.",
    columns: [...origin, {name: "frame_ids", type: "INTEGER[]", doc: "Frames, root first, as ids into `frames` (same `capture_id`)."}, {name: "samples", type: "DOUBLE", doc: "Samples."}, {name: "kernel_frames", type: "INTEGER", doc: "How many frames at the leaf end are the kernel's (`stacks.kernel_frames`; every frame for sources that record kernel stacks only); null when unknown."}]
  },
  {
    name: "oncpu_samples",
    doc: "On-CPU samples one by one, with their time: from sources that print each sample (perf script). A time range's stacks are its samples' `stack_id`s joined to `stacks` (same `capture_id`, `file`).",
    columns: [
      ...origin,
      {name: "t_s", type: "DOUBLE", doc: "Seconds from the file's first sample."},
      {name: "thread", type: "VARCHAR", doc: "Thread name (comm)."},
      {name: "pid", type: "BIGINT", doc: "Process id, where printed."},
      {name: "tid", type: "BIGINT", doc: "Thread id."},
      {name: "cpu", type: "INTEGER", doc: "CPU, where printed."},
      {name: "stack_id", type: "INTEGER", doc: "The sample's row in `stacks` (same `capture_id` and `file`)."},
      {name: "samples", type: "DOUBLE", doc: "Samples the row stands for (1)."}
    ]
  }
];

/** The evidence view: every file a known source wrote, and which views it feeds. */
export const EVIDENCE: ViewSchema = {
  name: "evidence",
  doc: "One row per capture file that is evidence: those whose tool bpfbook recognizes, with the views they feed, and those it does not recognize but whose manifest or name says what they measure (they feed nothing, and are there so a finding can say that capture failed or cannot be read rather than that there was none). A finding asks here whether its evidence exists before it reads the views (a file that recorded nothing still shows here).",
  columns: [
    {name: "capture_id", type: "VARCHAR", doc: "Bundle id."},
    {name: "file", type: "VARCHAR", doc: "The capture file."},
    {name: "source", type: "VARCHAR", doc: "Its tool; `unrecognized <kind> capture` when bpfbook does not know it."},
    {name: "recognized", type: "BOOLEAN", doc: "Whether bpfbook knows the tool (and so reads its rows)."},
    {name: "kind", type: "VARCHAR", doc: "What it measures (`captures.kind`)."},
    {name: "window_s", type: "DOUBLE", doc: "Capture window in seconds, when known."},
    {name: "status", type: "VARCHAR", doc: "`captures.status`: `ok`, `partial`, `failed` or `empty`."},
    {name: "status_reason", type: "VARCHAR", doc: "Why the status is not `ok`."},
    {name: "complete", type: "BOOLEAN", doc: "The source reports everything it traced (not a top-N or only what passed a threshold), so what is absent from it did not happen."},
    {name: "feeds", type: "VARCHAR[]", doc: "The views this source feeds; for an unrecognized file, the views its kind would feed."}
  ]
};

// Syscall numbers bpftrace's syscount.bt prints, for the calls findings read. Other
// numbers stay as `syscall N`. From the kernel's uapi headers (asm/unistd_64.h,
// asm-generic/unistd.h).
const SYSCALL_NUMBERS: Record<string, Record<string, number>> = {
  x86_64: {read: 0, write: 1, pread64: 17, pwrite64: 18, readv: 19, writev: 20, msync: 26, fsync: 74, fdatasync: 75, sync: 162, sync_file_range: 277, pwritev: 296, syncfs: 306, pwritev2: 328},
  aarch64: {read: 63, write: 64, readv: 65, writev: 66, pread64: 67, pwrite64: 68, pwritev: 70, sync: 81, fsync: 82, fdatasync: 83, sync_file_range: 84, msync: 227, syncfs: 267, pwritev2: 287}
};

const SYSCALL_NAMES: ViewSchema = {
  name: "syscall_names",
  doc: "Syscall numbers → names for x86_64 and aarch64, for the calls findings read (sync and write families).",
  columns: [
    {name: "arch", type: "VARCHAR", doc: "`uname -m`."},
    {name: "id", type: "INTEGER", doc: "Syscall number."},
    {name: "name", type: "VARCHAR", doc: "Syscall name."}
  ]
};

const columnList = (v: ViewSchema) => v.columns.map((c) => c.name).join(", ");

/** A view's SQL: the union of its sources' feeds, or an empty relation of its columns. */
function viewSql(view: ViewSchema, sources: Source[]): string {
  const parts = sources.flatMap((s) => {
    const feed = s.feeds[view.name as ViewName];
    return feed ? [`SELECT ${columnList(view)} FROM (${feed(s.tool)})`] : [];
  });
  const empty = `SELECT ${view.columns.map((c) => `NULL::${c.type} AS ${c.name}`).join(", ")} WHERE false`;
  return parts.length ? parts.join("\nUNION ALL\n") : empty;
}

// What a file of each kind would feed, for files bpfbook does not recognize.
const KIND_FEEDS: Record<string, ViewName[]> = {
  fsync: ["fsync_calls", "fsync_latency"],
  bio: ["block_io_latency", "block_io_bytes"],
  offcpu: ["offcpu_stacks"],
  syscalls: ["syscall_counts"],
  oncpu: ["oncpu_stacks", "oncpu_samples"]
};

function evidenceSql(sources: Source[]): string {
  const rows = sources.map((s) => `(${sqlString(s.tool)}, ${s.complete}, [${Object.keys(s.feeds).map(sqlString).join(", ")}]::VARCHAR[])`).join(",\n  ");
  const kinds = Object.entries(KIND_FEEDS).map(([kind, feeds]) => `(${sqlString(kind)}, [${feeds.map(sqlString).join(", ")}]::VARCHAR[])`).join(", ");
  return `SELECT c.capture_id, c.file, c.tool AS source, true AS recognized, c.kind, c.window_s, c.status, c.status_reason, f.complete, f.feeds
FROM captures c JOIN (VALUES
  ${rows}) f(tool, complete, feeds) ON f.tool = c.tool
UNION ALL
SELECT c.capture_id, c.file, 'unrecognized ' || c.kind || ' capture' AS source, false AS recognized, c.kind, c.window_s, c.status, c.status_reason, false AS complete, k.feeds
FROM captures c JOIN (VALUES ${kinds}) k(kind, feeds) ON k.kind = c.kind
WHERE c.tool IS NULL`;
}

function syscallNamesSql(): string {
  const rows = Object.entries(SYSCALL_NUMBERS).flatMap(([arch, calls]) => Object.entries(calls).map(([name, id]) => `(${sqlString(arch)}, ${id}, ${sqlString(name)})`));
  return `SELECT * FROM (VALUES ${rows.join(", ")}) t(arch, id, name)`;
}

/** Every view, in dependency order, with its defining SQL. */
export function viewDefinitions(sources: Source[] = SOURCES): {schema: ViewSchema; sql: string}[] {
  return [
    {schema: SYSCALL_NAMES, sql: syscallNamesSql()},
    {schema: EVIDENCE, sql: evidenceSql(sources)},
    ...VIEWS.map((schema) => ({schema, sql: viewSql(schema, sources)}))
  ];
}

/**
 * CREATE VIEW statements for a connection that already has the bundle's tables; `as:
 * "table"` computes each view once instead (loaders/findings/node.ts, for the many queries
 * of a build).
 */
export function createViewStatements(sources: Source[] = SOURCES, {as = "view"}: {as?: "view" | "table"} = {}): string[] {
  const create = as === "table" ? "CREATE TABLE" : "CREATE OR REPLACE VIEW";
  return viewDefinitions(sources).map(({schema, sql}) => `${create} ${schema.name} AS\n${sql}`);
}

/**
 * Empty tables for those of the model a connection was not given, so every view can be
 * created: a page registers only the tables it reads (loading the samples table on a page
 * that never reads it would cost its download).
 */
export function emptyTableStatements(present: string[]): string[] {
  return tableNames
    .filter((t) => !present.includes(t))
    .map((t) => `CREATE TABLE ${sqlIdentifier(t)} (${schemas[t].columns.map((c) => `${sqlIdentifier(c.name)} ${c.type}`).join(", ")})`);
}

export const viewNames = () => viewDefinitions().map((v) => v.schema.name);

// The shared row model: every parser emits these rows, the Parquet writer stores them,
// docs/tables.md documents them, and findings query them. One definition for all four.

export type ColumnType = "VARCHAR" | "VARCHAR[]" | "INTEGER[]" | "DOUBLE" | "BIGINT" | "INTEGER" | "BOOLEAN";

export interface Column {
  name: string;
  type: ColumnType;
  doc: string;
  /**
   * Set on `stacks.frame_ids`: parsers emit a stack's frame names in this row field
   * (`frames`, root first) and the Parquet writer stores each distinct name once in the
   * `frames` table and the stack as their ids, so parsers stay ignorant of the ids.
   */
  internsFrom?: string;
}

export interface TableSchema {
  name: TableName;
  doc: string;
  columns: Column[];
}

export type TableName = "captures" | "histograms" | "values" | "frames" | "stacks" | "samples" | "events" | "messages" | "context" | "problems";

const capture_id: Column = {name: "capture_id", type: "VARCHAR", doc: "Bundle id (its folder name)."};
const file: Column = {name: "file", type: "VARCHAR", doc: "File name inside the bundle."};
const line: Column = {name: "line", type: "INTEGER", doc: "1-based line in `file` where the row starts."};
const map: Column = {name: "map", type: "VARCHAR", doc: "bpftrace map as printed, e.g. `@bio_by_rwbs_us`; null for folded stacks."};
const key: Column = {name: "key", type: "VARCHAR", doc: "Map key as printed (raw text, parts joined by `, `); null when the map has none."};
const key_parts: Column = {name: "key_parts", type: "VARCHAR[]", doc: "The key split into its parts (see `key_ambiguous`)."};
const key_ambiguous: Column = {
  name: "key_ambiguous",
  type: "BOOLEAN",
  doc: "True when the key splits into more parts than the map's other keys, so a part itself holds `, `: trust `key`, not `key_parts`."
};
const series: Column = {
  name: "series",
  type: "INTEGER",
  doc: "1, 2, … for the n-th time the same map and key are printed in a file (bpftrace can print two distinct keys alike)."
};
const t_s: Column = {
  name: "t_s",
  type: "DOUBLE",
  doc: "For interval output (bcc `-T`/interval runs, bpftrace programs printing `time()` before their maps): seconds from the first interval's printed time to this row's interval. Null for rows printed once for the whole window. Whole-window totals sum the intervals."
};
const wall_time: Column = {name: "wall_time", type: "VARCHAR", doc: "The clock time printed for this row's interval (`06:20:16`), as printed; null when none."};
const bookkeeping: Column = {
  name: "bookkeeping",
  type: "BOOLEAN",
  doc: "True for maps a program uses to carry state between probes (`@start`, `@off`, `@ks`…) whose entries were still in flight at exit; not results."
};

export const schemas: Record<TableName, TableSchema> = {
  captures: {
    name: "captures",
    doc: "One row per file of a bundle, with the bundle's context repeated on each row, and the proof that every line was accounted for.",
    columns: [
      capture_id,
      {name: "source", type: "VARCHAR", doc: "Where the bundle came from (manifest `source`, else the folder)."},
      {name: "fetched_at", type: "VARCHAR", doc: "When the bundle was fetched or captured (manifest `fetched_at`, else `started_at`; ISO 8601), null when neither says."},
      {name: "source_sha256", type: "VARCHAR", doc: "sha256 of the tarball fetched, or of the folder's listing (declared sources; manifest `source_sha256`)."},
      {name: "target", type: "VARCHAR", doc: "Traced container or process name."},
      {name: "target_kind", type: "VARCHAR", doc: "`container` or `process`."},
      {name: "image", type: "VARCHAR", doc: "Container image, when the target is a container."},
      {name: "pid", type: "BIGINT", doc: "Process id of the target."},
      {name: "target_threads", type: "VARCHAR[]", doc: "Thread names of the target (comm values), from the context file."},
      {name: "host", type: "VARCHAR", doc: "Host name."},
      {name: "kernel", type: "VARCHAR", doc: "Kernel release (`uname -r`)."},
      {name: "arch", type: "VARCHAR", doc: "Machine architecture (`uname -m`)."},
      {name: "os", type: "VARCHAR", doc: "OS pretty name."},
      {name: "tools", type: "VARCHAR[]", doc: "Tool version lines (bpftrace, perf)."},
      {name: "context_missing", type: "VARCHAR[]", doc: "Facts the context file did not state (e.g. `pid`, `target_threads`)."},
      file,
      {name: "kind", type: "VARCHAR", doc: "What the file measures: `context`, `fsync`, `bio`, `bio-size`, `fs-latency`, `offcpu`, `syscalls`, `oncpu`, `oncpu-report`, `files`, `other`. From the manifest, else the recognized tool, else the file name."},
      {name: "format", type: "VARCHAR", doc: "How it was parsed: `context`, `bpftrace-text`, `bpftrace-json`, `perf-script`, `folded`, `bcc-histogram`, `bcc-stacks`, `table`, `document`."},
      {name: "tool", type: "VARCHAR", doc: "What wrote the file, recognized from its content (banner, map names, column header) or named by the manifest, e.g. `bpfbook fsync.bt`, `syncsnoop.bt`, `bcc biolatency`; null when unknown. The evidence views read only files whose tool they know (docs/views.md)."},
      {name: "window_s", type: "DOUBLE", doc: "Capture window in seconds, from the manifest; null when unknown."},
      {name: "sample_hz", type: "DOUBLE", doc: "Samples per second of an on-CPU profile, from the manifest (`npm run capture` records 99); null when unknown. Samples ÷ sample_hz = CPU seconds."},
      {name: "bytes", type: "BIGINT", doc: "File size in bytes."},
      {name: "lines", type: "INTEGER", doc: "Lines read."},
      {name: "data_lines", type: "INTEGER", doc: "Lines that became table rows (histograms, values, stacks, context)."},
      {name: "blank_lines", type: "INTEGER", doc: "Empty lines."},
      {name: "tool_lines", type: "INTEGER", doc: "Lines written by the tool or program rather than data (see `messages`)."},
      {name: "problem_lines", type: "INTEGER", doc: "Lines recorded in `problems`. lines = data + blank + tool + problem."},
      {
        name: "status",
        type: "VARCHAR",
        doc: "Whether the evidence can be trusted: `ok`; `partial` (lost events, interrupted, or an error after some data); `failed` (a probe did not attach, the tool failed, the file is empty); `empty` (printed no data and nothing shows it ran to its end). From the file's tool lines, the stderr kept beside it, and the manifest."
      },
      {name: "status_reason", type: "VARCHAR", doc: "Why the status is not `ok`, e.g. `probe did not attach: kretprobe:vfs_fsync_range`."},
      {name: "probes", type: "INTEGER", doc: "Probes bpftrace said it attached (`Attaching N probes...`); null when not said."},
      {name: "lost_events", type: "BIGINT", doc: "Events or samples the tool said it lost."}
    ]
  },
  histograms: {
    name: "histograms",
    doc: "One row per bucket of a bpftrace `hist()`/`lhist()`.",
    columns: [
      capture_id,
      file,
      map,
      key,
      key_parts,
      key_ambiguous,
      series,
      {name: "lo", type: "DOUBLE", doc: "Inclusive lower bound of the bucket in `unit`; null for the open bucket `(..., x)`."},
      {name: "hi", type: "DOUBLE", doc: "Exclusive upper bound in `unit`; null when open (`[x, ...)`). `[n]` is [n, n+1)."},
      {name: "count", type: "BIGINT", doc: "Events in the bucket."},
      {name: "unit", type: "VARCHAR", doc: "Unit of lo/hi from the map name (bpftrace) or the column header (bcc): `us`, `ns`, `ms`, `s`, `bytes`, `kbytes`, else `value`."},
      bookkeeping,
      t_s,
      wall_time,
      {name: "key_name", type: "VARCHAR", doc: "What the key is, where the tool says so (bcc's `disk = 'sda'` → `disk`); null for bpftrace maps."},
      line
    ]
  },
  values: {
    name: "values",
    doc: "count/sum/min/max/avg maps, scalars and `stats()`; one row per number.",
    columns: [
      capture_id,
      file,
      map,
      key,
      key_parts,
      key_ambiguous,
      series,
      {name: "stat", type: "VARCHAR", doc: "`value` for a plain map or scalar; `count`, `average`, `total` for `stats()`."},
      {name: "value", type: "DOUBLE", doc: "The number; null when the map holds text (then see `text`)."},
      {name: "text", type: "VARCHAR", doc: "A non-numeric map value (strings, symbols) as printed; else null."},
      {name: "unit", type: "VARCHAR", doc: "Unit from the map name, as for histograms (`count` when none)."},
      bookkeeping,
      t_s,
      wall_time,
      line
    ]
  },
  frames: {
    name: "frames",
    doc: "Each distinct stack frame of the bundle once, as pprof and Perfetto store them: `stacks.frame_ids` point here. Join on `frame_id` (and `capture_id` when reading several bundles) to name a stack's frames; a question about frames (a regular expression, a prefix) runs once per distinct frame here instead of once per frame of every stack.",
    columns: [
      capture_id,
      {name: "frame_id", type: "INTEGER", doc: "1, 2, … per bundle, in order of first appearance (frames of large folded files DuckDB reads itself follow)."},
      {name: "name", type: "VARCHAR", doc: "The frame as printed (offsets kept for bpftrace stacks)."}
    ]
  },
  stacks: {
    name: "stacks",
    doc: "Stacks: kernel/user stacks printed by bpftrace (as key or value) and folded stacks, each as a list of `frames` ids.",
    columns: [
      capture_id,
      file,
      map,
      key,
      {name: "stack_id", type: "INTEGER", doc: "1, 2, … per file in order of appearance."},
      {name: "frame_ids", type: "INTEGER[]", internsFrom: "frames", doc: "The stack's frames, root first, as ids into `frames` (same `capture_id`)."},
      {name: "value", type: "DOUBLE", doc: "The stack's number (time, samples); null for a stack stored as a map value."},
      {name: "unit", type: "VARCHAR", doc: "`us`, `ns`, `samples`… from the map name or the format."},
      bookkeeping,
      line,
      {
        name: "kernel_frames",
        type: "INTEGER",
        doc: "How many frames at the leaf end are kernel frames, where the format tells: perf script's `[kernel.kallsyms]` frames, the part before bcc's `--` (kernel then user stack). Null when it cannot tell (the evidence views fill it for sources known to record kernel stacks only)."
      }
    ]
  },
  samples: {
    name: "samples",
    doc: "One row per timed sample (perf script): when it was taken, on which CPU and thread, and which `stacks` row holds its stack. Each distinct thread name and stack is stored once in `stacks` (its `value` is its sample count); samples point at it by `file` and `stack_id`, so a time range's flame graph is a filter and a sum.",
    columns: [
      capture_id,
      file,
      {name: "line", type: "INTEGER", doc: "Line of the sample's header."},
      {name: "t_s", type: "DOUBLE", doc: "Seconds from the file's first sample (perf's clock is per boot; samples from several CPUs may be a few µs out of order, so a handful can be slightly negative)."},
      {name: "time_s", type: "DOUBLE", doc: "The timestamp as printed (seconds on perf's clock)."},
      {name: "cpu", type: "INTEGER", doc: "CPU it ran on (`[003]`); null when not printed."},
      {name: "comm", type: "VARCHAR", doc: "Thread name."},
      {name: "pid", type: "BIGINT", doc: "Process id, when printed (`pid/tid`)."},
      {name: "tid", type: "BIGINT", doc: "Thread id."},
      {name: "stack_id", type: "INTEGER", doc: "The `stacks` row (same `file`) holding this sample's thread name and frames."},
      {name: "weight", type: "DOUBLE", doc: "Samples this row stands for (1)."}
    ]
  },
  events: {
    name: "events",
    doc: "One row per row of a column table (a header line such as `TIME(s) COMM PID DISK T SECTOR BYTES LAT(ms)`, then a row per event or per count), as snoop, slower and count tools print them. Every field is kept as printed in `fields`; the common ones are also typed columns.",
    columns: [
      capture_id,
      file,
      line,
      {name: "table_id", type: "INTEGER", doc: "1, 2, … per header line in the file (interval output repeats the header)."},
      {name: "names", type: "VARCHAR[]", doc: "Column names as the header prints them."},
      {name: "fields", type: "VARCHAR[]", doc: "The row's fields, in column order, as printed (extra words go to the last column when it holds text, such as a path with spaces, else to the first text column)."},
      {name: "time_s", type: "DOUBLE", doc: "The first column when it is a time: seconds (`TIME(s)`, `TIME(ms)` scaled) or seconds since midnight (`HH:MM:SS`)."},
      {name: "comm", type: "VARCHAR", doc: "Process or thread name (`COMM`, `TASK`)."},
      {name: "pid", type: "BIGINT", doc: "Process id (`PID`)."},
      {name: "tid", type: "BIGINT", doc: "Thread id (`TID`)."},
      {name: "op", type: "VARCHAR", doc: "What happened: `T`, `TYPE`, `D`, `CALL`, `EVENT`, `SYSCALL`, `FUNC`, `OP`."},
      {name: "bytes", type: "DOUBLE", doc: "Size in bytes (`BYTES`, `SIZE`; `KBYTES`/`KB` × 1024)."},
      {name: "latency_us", type: "DOUBLE", doc: "Latency in µs, from the unit in the column name (`LAT(ms)` × 1000, `LAT(us)`, `LAT(ns)` / 1000)."},
      {name: "path", type: "VARCHAR", doc: "File name or path (`FILENAME`, `PATH`, `FILE`)."},
      {name: "count", type: "DOUBLE", doc: "`COUNT` in count tables (syscount, funccount)."},
      {name: "disk", type: "VARCHAR", doc: "Block device (`DISK`)."}
    ]
  },
  messages: {
    name: "messages",
    doc: "Lines the tool or program printed that are not data: probe banners, warnings, lost events, printf output.",
    columns: [
      capture_id,
      file,
      line,
      {
        name: "kind",
        type: "VARCHAR",
        doc: "`tool` (banner, warning, lost events), `printf` (program output), `heading` (a context section title), `document` (a file kept as text, such as a perf report)."
      },
      {name: "text", type: "VARCHAR", doc: "The line."}
    ]
  },
  context: {
    name: "context",
    doc: "Every line of the context file with the section it sits in.",
    columns: [
      capture_id,
      file,
      line,
      {name: "section", type: "VARCHAR", doc: "The `## heading` above the line; null before the first."},
      {name: "text", type: "VARCHAR", doc: "The line."}
    ]
  },
  problems: {
    name: "problems",
    doc: "Every line that could not be parsed, with why. Nothing is dropped silently.",
    columns: [
      capture_id,
      file,
      line,
      {name: "text", type: "VARCHAR", doc: "The line (cut to 500 characters)."},
      {name: "reason", type: "VARCHAR", doc: "Why it was not parsed."}
    ]
  }
};

export const tableNames = Object.keys(schemas) as TableName[];

export type Row = Record<string, string | number | boolean | string[] | null>;

/** Where parsers send rows; the Parquet writer and the in-memory collector both implement it. */
export interface RowSink {
  emit(table: TableName, row: Row): void;
}

/** Per-file line accounting: every line read is exactly one of these. */
export interface LineCounts {
  lines: number;
  data_lines: number;
  blank_lines: number;
  tool_lines: number;
  problem_lines: number;
}

export const emptyCounts = (): LineCounts => ({lines: 0, data_lines: 0, blank_lines: 0, tool_lines: 0, problem_lines: 0});

/** Unit of a map's numbers, read from its name: `@bio_latency_us` → `us`. */
export function unitOf(map: string | null, fallback = "value"): string {
  if (!map) return fallback;
  const name = map.toLowerCase();
  if (/_ns$|nsecs?$/.test(name)) return "ns";
  if (/_us$|usecs?$/.test(name)) return "us";
  if (/_ms$|msecs?$/.test(name)) return "ms";
  if (/_s$|_secs?$/.test(name)) return "s";
  if (/bytes/.test(name)) return "bytes";
  return fallback;
}

/** Maps that carry state between probes rather than results (their entries are in flight at exit). */
export function isBookkeepingMap(map: string | null): boolean {
  return map !== null && /^@(start|starts|ts|t0|begin|entry|inflight|in_flight|off|off_comm|ks|us_stack|pending)$/.test(map);
}

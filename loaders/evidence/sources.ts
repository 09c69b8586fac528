// The sources bpfbook knows: how to recognize each from a file's content, and which
// canonical views (views.ts) it feeds with what SQL. Findings query only the views, so a
// new tool is one entry here, not a change to every finding.
//
// Recognition reads a file's fingerprint, gathered while it is parsed: its banner lines,
// the maps it printed, its column headers, the labels of its sections. The manifest may
// name a file's tool where content cannot tell (`files[].tool`).

import {sqlString} from "../sql.js";

export interface Fingerprint {
  format: string;
  /** The first tool and printf lines (banners). */
  banners: string[];
  /** bpftrace map names printed (`@usecs`, `@`). */
  maps: string[];
  /** Column-table headers, each as its column names. */
  headers: string[][];
  /** Section labels of bcc histograms (`disk`, `operation`). */
  keyNames: string[];
}

export type ViewName =
  | "fsync_calls"
  | "fsync_latency"
  | "block_io_latency"
  | "block_io_bytes"
  | "block_io_sizes"
  | "file_latency"
  | "syscall_counts"
  | "offcpu_stacks"
  | "oncpu_stacks"
  | "oncpu_samples";

export interface Source {
  /** Written to `captures.tool`. */
  tool: string;
  /** What the file measures, written to `captures.kind`. */
  kind: string;
  /** Where this source comes from, for docs/views.md. */
  about: string;
  /** It reports everything it traced (not a top-N or a threshold), so a thing absent from it did not happen. */
  complete: boolean;
  recognize(fp: Fingerprint): boolean;
  /** For each view it feeds: a SELECT of the view's columns over this tool's files (`WHERE c.tool = …` added by views.ts). */
  feeds: Partial<Record<ViewName, (tool: string) => string>>;
}

const banner = (fp: Fingerprint, re: RegExp) => fp.banners.some((b) => re.test(b));
const hasHeader = (fp: Fingerprint, ...names: string[]) => fp.headers.some((h) => names.every((n) => h.includes(n)));
const hasMap = (fp: Fingerprint, ...maps: string[]) => maps.some((m) => fp.maps.includes(m));

/** A value in `unit` (a column or literal) in µs. */
export const microseconds = (value: string, unit: string) =>
  `(CASE ${unit} WHEN 'ns' THEN ${value} / 1000.0 WHEN 'ms' THEN ${value} * 1000.0 WHEN 's' THEN ${value} * 1e6 ELSE ${value} * 1.0 END)`;

const fromRows = (table: string, alias: string, tool: string) =>
  `FROM "${table}" ${alias} JOIN captures c ON c.capture_id = ${alias}.capture_id AND c.file = ${alias}.file WHERE c.tool = ${sqlString(tool)}`;

/** The sync family of system calls, as syncsnoop traces them. */
export const SYNC_CALLS = ["fsync", "fdatasync", "sync", "syncfs", "sync_file_range", "sync_file_range2", "msync"];
const SYNC_LIST = `[${SYNC_CALLS.map(sqlString).join(", ")}]`;
/** A probe or call name → the syscall (`tracepoint:syscalls:sys_enter_fsync` → `fsync`). */
const syscallName = (expr: string) => `regexp_replace(regexp_replace(${expr}, '^.*sys_enter_', ''), '^(__x64_sys_|__arm64_sys_|sys_)', '')`;

// Columns every view row carries, so a finding can name its evidence.
const origin = (alias: string) => `${alias}.capture_id, ${alias}.file, c.tool AS source`;

/** A bpftrace or bcc histogram of latencies, as view rows in µs. */
const latencyBuckets = (tool: string, where: string, cls: string) => `SELECT ${origin("h")}, ${cls},
  ${microseconds("h.lo", "h.unit")} AS lo_us, ${microseconds("h.hi", "h.unit")} AS hi_us, h.count::DOUBLE AS count, false AS exact, h.t_s
${fromRows("histograms", "h", tool)} AND NOT h.bookkeeping${where}`;

/** An event's second from the file's first event, where its table prints a time. */
const secondOfEvent = (e: string) => `floor(${e}.time_s - min(${e}.time_s) OVER (PARTITION BY ${e}.capture_id, ${e}.file))`;

/** Events with a latency column, one exact "bucket" per event. */
const latencyEvents = (tool: string, cls: string) => `SELECT ${origin("e")}, ${cls},
  e.latency_us AS lo_us, e.latency_us AS hi_us, 1::DOUBLE AS count, true AS exact,
  ${secondOfEvent("e")} AS t_s
${fromRows("events", "e", tool)} AND e.latency_us IS NOT NULL`;

/** One event line per sync-family call (syncsnoop), counted by caller and call. */
const syncEvents = (tool: string) => `SELECT capture_id, file, source, comm AS thread, pid, ${syscallName("op")} AS syscall, count(*)::DOUBLE AS calls, t_s
FROM (SELECT e.*, c.tool AS source, ${secondOfEvent("e")} AS t_s ${fromRows("events", "e", tool)})
GROUP BY ALL`;

/** No thread named: the stacks of all threads together. */
const ANY_THREAD = "NULL::VARCHAR AS thread, NULL::BIGINT AS tid";

/** bpftrace-style stacks with a number per stack; `who` gives the thread and tid where the key holds them. */
const stackRows = (tool: string, value: string, where = "", who = ANY_THREAD, kernel = "s.kernel_frames") => `SELECT ${origin("s")}, s.frame_ids, ${value}, ${who}, ${kernel} AS kernel_frames
${fromRows("stacks", "s", tool)} AND NOT s.bookkeeping AND s.value IS NOT NULL${where}`;

export const SOURCES: Source[] = [
  {
    tool: "bpfbook fsync.bt",
    kind: "fsync",
    complete: true,
    about: "bpfbook's fsync program (loaders/capture/programs/fsync.bt), also the reference bundle's layout: `@calls[comm]`, `@fsync_latency_us`.",
    recognize: (fp) => hasMap(fp, "@fsync_latency_us") || (hasMap(fp, "@calls") && hasMap(fp, "@by_comm_us")),
    feeds: {
      fsync_calls: (t) => `SELECT ${origin("v")}, v.key AS thread, NULL::BIGINT AS pid, 'fsync/fdatasync' AS syscall, v.value AS calls, v.t_s
${fromRows("values", "v", t)} AND v.map = '@calls' AND v.stat = 'value' AND NOT v.bookkeeping`,
      fsync_latency: (t) => `SELECT ${origin("h")}, CASE WHEN h.map = '@by_comm_us' THEN h.key END AS thread,
  ${microseconds("h.lo", "h.unit")} AS lo_us, ${microseconds("h.hi", "h.unit")} AS hi_us, h.count::DOUBLE AS count, h.t_s
${fromRows("histograms", "h", t)} AND h.map IN ('@fsync_latency_us', '@by_comm_us') AND NOT h.bookkeeping`
    }
  },
  {
    tool: "bpfbook bio.bt",
    kind: "bio",
    complete: true,
    about: "bpfbook's block-I/O program: `@bio_latency_us` (all I/Os), `@bio_by_rwbs_us[RWBS]`, `@bytes_by_rwbs[RWBS]`.",
    recognize: (fp) => hasMap(fp, "@bio_latency_us", "@bio_by_rwbs_us"),
    feeds: {
      block_io_latency: (t) => latencyBuckets(t, " AND h.map IN ('@bio_latency_us', '@bio_by_rwbs_us')", "CASE WHEN h.map = '@bio_by_rwbs_us' THEN h.key END AS class"),
      block_io_bytes: (t) => `SELECT ${origin("v")}, v.key AS class, v.value AS bytes
${fromRows("values", "v", t)} AND v.map = '@bytes_by_rwbs' AND v.stat = 'value' AND NOT v.bookkeeping`
    }
  },
  {
    tool: "bpfbook offcpu.bt",
    kind: "offcpu",
    complete: true,
    about: "bpfbook's off-CPU program: `@offcpu_us[tid, comm, kstack]` for the target's threads (`@offcpu_us[kstack]` in captures before the sixth session), plus the blocks still in flight at the end (`@off`, `@ks` and `@end_ns`).",
    recognize: (fp) => hasMap(fp, "@offcpu_us"),
    // Keyed [tid, comm, kstack] since the sixth session; earlier captures keyed the stack alone (no thread).
    feeds: {
      offcpu_stacks: (t) =>
        stackRows(
          t,
          `${microseconds("s.value", "s.unit")} AS us`,
          " AND s.map = '@offcpu_us'",
          `nullif(regexp_extract(s.key, '^\\d+, (.*)$', 1), '') AS thread, TRY_CAST(regexp_extract(s.key, '^(\\d+), ', 1) AS BIGINT) AS tid`,
          // offcpu.bt records kstack alone: every frame is the kernel's.
          "len(s.frame_ids)"
        ) +
        // Blocks still in flight when the window ended (@off, @ks, @off_comm at exit), up to
        // its end (@end_ns): without them a thread blocked at the end loses that time.
        `
UNION ALL
SELECT s.capture_id, s.file, c.tool AS source, s.frame_ids, (e.value - o.value) / 1000.0 AS us, n.text AS thread, TRY_CAST(s.key AS BIGINT) AS tid, len(s.frame_ids) AS kernel_frames
FROM "stacks" s JOIN captures c ON c.capture_id = s.capture_id AND c.file = s.file
JOIN "values" o ON o.capture_id = s.capture_id AND o.file = s.file AND o.map = '@off' AND o.key = s.key
JOIN "values" e ON e.capture_id = s.capture_id AND e.file = s.file AND e.map = '@end_ns' AND e.key IS NULL
LEFT JOIN "values" n ON n.capture_id = s.capture_id AND n.file = s.file AND n.map = '@off_comm' AND n.key = s.key
WHERE c.tool = ${sqlString(t)} AND s.map = '@ks' AND e.value >= o.value`
    }
  },
  {
    tool: "bpfbook syscalls.bt",
    kind: "syscalls",
    complete: true,
    about: "bpfbook's write-path program: `@op_by_thread[comm, probe]` counts write/pwrite64/writev/fsync/fdatasync by thread name.",
    recognize: (fp) => hasMap(fp, "@op_by_thread"),
    feeds: {
      syscall_counts: (t) => `SELECT ${origin("v")}, v.key_parts[1] AS thread, NULL::BIGINT AS pid, ${syscallName("v.key_parts[-1]")} AS syscall, v.value AS calls, v.t_s
${fromRows("values", "v", t)} AND v.map = '@op_by_thread' AND v.stat = 'value' AND NOT v.bookkeeping`,
      fsync_calls: (t) => `SELECT ${origin("v")}, v.key_parts[1] AS thread, NULL::BIGINT AS pid, ${syscallName("v.key_parts[-1]")} AS syscall, v.value AS calls, v.t_s
${fromRows("values", "v", t)} AND v.map = '@op_by_thread' AND v.stat = 'value' AND NOT v.bookkeeping
  AND list_contains(${SYNC_LIST}, ${syscallName("v.key_parts[-1]")})`
    }
  },
  {
    tool: "syncsnoop.bt",
    kind: "fsync",
    complete: true,
    about: "bpftrace's syncsnoop.bt: a `TIME PID COMM EVENT` line per sync-family call.",
    recognize: (fp) => fp.format.startsWith("bpftrace") && (hasHeader(fp, "PID", "COMM", "EVENT") || banner(fp, /^Tracing sync syscalls/)),
    feeds: {
      fsync_calls: syncEvents
    }
  },
  {
    tool: "bcc syncsnoop",
    kind: "fsync",
    complete: true,
    about: "bcc's syncsnoop: a `TIME(s) [COMM] CALL` line per sync-family call.",
    recognize: (fp) => hasHeader(fp, "CALL"),
    feeds: {
      fsync_calls: syncEvents
    }
  },
  {
    tool: "syscount.bt",
    kind: "syscalls",
    complete: false,
    about: "bpftrace's syscount.bt: `@syscall[id]` (syscall numbers; named when the context gives the architecture) and `@process[comm]`.",
    recognize: (fp) => hasMap(fp, "@syscall") && hasMap(fp, "@process"),
    feeds: {
      syscall_counts: (t) => `SELECT ${origin("v")}, CASE WHEN v.map = '@process' THEN v.key END AS thread, NULL::BIGINT AS pid,
  CASE WHEN v.map = '@syscall' THEN coalesce(n.name, 'syscall ' || v.key) END AS syscall, v.value AS calls, v.t_s
FROM "values" v JOIN captures c ON c.capture_id = v.capture_id AND c.file = v.file LEFT JOIN syscall_names n ON n.arch = c.arch AND n.id::VARCHAR = v.key
WHERE c.tool = ${sqlString(t)} AND v.map IN ('@syscall', '@process') AND v.stat = 'value'`,
      fsync_calls: (t) => `SELECT ${origin("v")}, NULL::VARCHAR AS thread, NULL::BIGINT AS pid, n.name AS syscall, v.value AS calls, v.t_s
FROM "values" v JOIN captures c ON c.capture_id = v.capture_id AND c.file = v.file JOIN syscall_names n ON n.arch = c.arch AND n.id::VARCHAR = v.key
WHERE c.tool = ${sqlString(t)} AND v.map = '@syscall' AND v.stat = 'value' AND list_contains(${SYNC_LIST}, n.name)`
    }
  },
  {
    tool: "bcc syscount",
    kind: "syscalls",
    complete: false,
    about: "bcc's syscount: `SYSCALL COUNT [TIME]` tables, or `PID COMM COUNT` with -P.",
    recognize: (fp) => hasHeader(fp, "SYSCALL", "COUNT") || hasHeader(fp, "PID", "COMM", "COUNT"),
    feeds: {
      syscall_counts: (t) => `SELECT ${origin("e")}, e.comm AS thread, e.pid, e.op AS syscall, e.count AS calls, NULL::DOUBLE AS t_s
${fromRows("events", "e", t)} AND e.count IS NOT NULL`,
      fsync_calls: (t) => `SELECT ${origin("e")}, e.comm AS thread, e.pid, e.op AS syscall, e.count AS calls, NULL::DOUBLE AS t_s
${fromRows("events", "e", t)} AND e.count IS NOT NULL AND list_contains(${SYNC_LIST}, e.op)`
    }
  },
  {
    tool: "bitesize.bt",
    kind: "bio-size",
    complete: true,
    about: "bpftrace's bitesize.bt: `@[comm]` histograms of block I/O sizes in bytes.",
    recognize: (fp) => fp.format === "bpftrace-text" && banner(fp, /I\/O size \(bytes\) histograms/),
    feeds: {
      block_io_sizes: (t) => `SELECT ${origin("h")}, h.key AS thread, h.lo AS lo_bytes, h.hi AS hi_bytes, h.count::DOUBLE AS count
${fromRows("histograms", "h", t)}`
    }
  },
  {
    tool: "biolatency.bt",
    kind: "bio",
    complete: true,
    about: "bpftrace's biolatency.bt (kprobe or tracepoint version): `@usecs` (or `@usecs[disk]`), block I/O service time.",
    recognize: (fp) => fp.format.startsWith("bpftrace") && banner(fp, /^Tracing block device I\/O/) && hasMap(fp, "@usecs"),
    feeds: {block_io_latency: (t) => latencyBuckets(t, " AND h.map = '@usecs'", "NULL AS class")}
  },
  {
    tool: "bcc biolatency",
    kind: "bio",
    complete: true,
    about: "bcc's biolatency: log2 histograms in usecs or msecs, per disk (-D) or per flags (-F) sections.",
    recognize: (fp) => fp.format === "bcc-histogram" && (banner(fp, /^Tracing block device I\/O/) || fp.keyNames.some((k) => k === "disk" || k === "flags")),
    feeds: {block_io_latency: (t) => latencyBuckets(t, "", "h.key AS class")}
  },
  {
    tool: "biosnoop",
    kind: "bio",
    complete: true,
    about: "bcc's biosnoop and bpftrace's biosnoop.bt: a line per block I/O with `DISK` and `LAT(ms)`.",
    recognize: (fp) => hasHeader(fp, "DISK", "LAT(ms)"),
    feeds: {
      block_io_latency: (t) => latencyEvents(t, "e.op AS class"),
      block_io_bytes: (t) => `SELECT ${origin("e")}, e.op AS class, e.bytes
${fromRows("events", "e", t)} AND e.bytes IS NOT NULL`
    }
  },
  {
    tool: "bcc fs dist",
    kind: "fs-latency",
    complete: true,
    about: "bcc's ext4dist, xfsdist, btrfsdist, nfsdist, zfsdist: file-system operation latency per `operation` section (not block-device latency).",
    recognize: (fp) => fp.format === "bcc-histogram" && (banner(fp, /operation latency/) || fp.keyNames.includes("operation")),
    feeds: {
      file_latency: (t) => `SELECT ${origin("h")}, h.key AS op,
  ${microseconds("h.lo", "h.unit")} AS lo_us, ${microseconds("h.hi", "h.unit")} AS hi_us, h.count::DOUBLE AS count, false AS exact
${fromRows("histograms", "h", t)}`
    }
  },
  {
    tool: "bcc fs slower",
    kind: "fs-latency",
    complete: false,
    about: "bcc's ext4slower, xfsslower, btrfsslower, nfsslower, fileslower: a line per slow file operation with `T` or `D` and `LAT(ms)`.",
    recognize: (fp) => (hasHeader(fp, "T", "LAT(ms)") || hasHeader(fp, "D", "LAT(ms)")) && !hasHeader(fp, "DISK"),
    feeds: {
      file_latency: (t) => `SELECT ${origin("e")}, e.op, e.latency_us AS lo_us, e.latency_us AS hi_us, 1::DOUBLE AS count, true AS exact
${fromRows("events", "e", t)} AND e.latency_us IS NOT NULL`
    }
  },
  {
    tool: "bcc offcputime",
    kind: "offcpu",
    complete: true,
    about: "bcc's offcputime (multi-line stacks, total off-CPU time per stack and task).",
    recognize: (fp) => fp.format === "bcc-stacks" && banner(fp, /off-CPU time/),
    feeds: {
      offcpu_stacks: (t) =>
        stackRows(t, `${microseconds("s.value", "s.unit")} AS us`, "", `nullif(regexp_extract(s.key, '^(.*) \\((\\d+)\\)$', 1), '') AS thread, TRY_CAST(regexp_extract(s.key, '\\((\\d+)\\)$', 1) AS BIGINT) AS tid`)
    }
  },
  {
    tool: "bpftrace off-CPU stacks",
    kind: "offcpu",
    complete: true,
    about: "bpftrace off-CPU programs (offcputime.bt style): stack maps summing blocked time, announced as off-CPU in the banner.",
    recognize: (fp) => fp.format.startsWith("bpftrace") && banner(fp, /off-CPU/i) && !hasMap(fp, "@offcpu_us"),
    feeds: {offcpu_stacks: (t) => stackRows(t, `${microseconds("s.value", "coalesce(s.unit, 'us')")} AS us`)}
  },
  {
    tool: "bcc profile",
    kind: "oncpu",
    complete: true,
    about: "bcc's profile (multi-line stacks with sample counts).",
    recognize: (fp) => fp.format === "bcc-stacks" && banner(fp, /^Sampling at/),
    feeds: {oncpu_stacks: (t) => stackRows(t, "s.value AS samples")}
  },
  {
    tool: "bpftrace profile",
    kind: "oncpu",
    complete: true,
    about: "bpftrace profiling programs (profile.bt style): stack maps counted at a sampling frequency, announced in the banner.",
    recognize: (fp) => fp.format.startsWith("bpftrace") && banner(fp, /^Sampling .*\bat \d+ ?H(ert)?z/i),
    feeds: {oncpu_stacks: (t) => stackRows(t, "s.value AS samples")}
  },
  {
    tool: "perf script",
    kind: "oncpu",
    complete: true,
    about: "`perf script` output of a `perf record` profile, folded per thread and stack; every sample's time, CPU and thread kept in `samples`.",
    recognize: (fp) => fp.format === "perf-script",
    feeds: {
      oncpu_stacks: (t) => stackRows(t, "s.value AS samples"),
      oncpu_samples: (t) => `SELECT ${origin("p")}, p.t_s, p.comm AS thread, p.pid, p.tid, p.cpu, p.stack_id, p.weight AS samples
${fromRows("samples", "p", t)}`
    }
  },
  {
    tool: "folded stacks",
    kind: "oncpu",
    complete: true,
    about: "Folded stacks (`frame;frame;… count`) from any profiler; on-CPU samples unless the manifest or the file name says off-CPU (then the counts are µs).",
    recognize: (fp) => fp.format === "folded",
    feeds: {
      oncpu_stacks: (t) => stackRows(t, "s.value AS samples", " AND c.kind = 'oncpu'"),
      offcpu_stacks: (t) => stackRows(t, "s.value AS us", " AND c.kind = 'offcpu'")
    }
  },
  {
    tool: "opensnoop",
    kind: "files",
    complete: true,
    about: "bcc's and bpftrace's opensnoop: a line per open with `PID COMM FD ERR PATH`.",
    recognize: (fp) => hasHeader(fp, "FD", "ERR", "PATH"),
    feeds: {}
  }
];

/** The source a fingerprint belongs to, if bpfbook knows it. */
export function recognize(fp: Fingerprint): Source | null {
  return SOURCES.find((s) => s.recognize(fp)) ?? null;
}

export const sourceByTool = (tool: string | null | undefined) => SOURCES.find((s) => s.tool === tool) ?? null;

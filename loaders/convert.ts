// Bundle → rows: run each file through the parser for its format, then describe each
// file (with the bundle's context and its line accounting) in the `captures` table.

import {closeSync, openSync, readSync, statSync} from "node:fs";
import {type Bundle, type BundleFile, type Format, readBundle} from "./bundle.js";
import {forEachLine} from "./lines.js";
import {type LineCounts, type Row, type RowSink, type TableName, tableNames} from "./model.js";
import {type Fingerprint, recognize} from "./evidence/sources.js";
import {type FileStatus, fileStatus} from "./evidence/status.js";
import {BccHistogramParser} from "./parse/bcc-histogram.js";
import {BccStacksParser} from "./parse/bcc-stacks.js";
import {BpftraceTextParser} from "./parse/bpftrace-text.js";
import {TableParser} from "./parse/event-table.js";
import type {FileRef, ParseResult, Parser} from "./parse/common.js";
import {type ContextFacts, ContextParser} from "./parse/context.js";
import {BpftraceJsonParser} from "./parse/bpftrace-json.js";
import {FoldedParser} from "./parse/folded.js";
import {type BulkTarget, convertFoldedInBulk} from "./parse/folded-bulk.js";
import {PerfScriptParser} from "./parse/perf-script.js";
import {ParquetWriter} from "./parquet.js";
import type {Progress} from "./progress.js";

export interface FileSummary extends LineCounts {
  file: string;
  kind: string;
  format: string;
  tool: string | null;
  status: FileStatus;
  recognized: boolean;
  rows: Record<TableName, number>;
}

export interface ConvertSummary {
  capture_id: string;
  files: FileSummary[];
}

/** Keeps every line of a file as a document (`messages`, kind `document`). */
class DocumentParser implements Parser {
  private lines = 0;
  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {}
  push({no, text}: import("./lines.js").Line): void {
    this.lines++;
    this.sink.emit("messages", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, kind: "document", text});
  }
  end(): ParseResult {
    return {counts: {lines: this.lines, data_lines: 0, blank_lines: 0, tool_lines: this.lines, problem_lines: 0}, recognized: true};
  }
}

const noRows = () => Object.fromEntries(tableNames.map((t) => [t, 0])) as Record<TableName, number>;

/** Counts rows per table as they pass to the real sink. */
class CountingSink implements RowSink {
  rows = noRows();
  constructor(private readonly inner: RowSink) {}
  emit(table: TableName, row: Row): void {
    this.rows[table]++;
    this.inner.emit(table, row);
  }
}

/** Gathers what recognizes a file's source as its rows pass: banners, maps, headers, labels. */
class FingerprintSink implements RowSink {
  readonly fp: Fingerprint;
  /** The tool's own lines (banners, errors, lost events), for the file's status; bounded. */
  readonly toolLines: string[] = [];
  private maps = new Set<string>();
  private keyNames = new Set<string>();
  private tables = new Set<number>();
  constructor(
    private readonly inner: RowSink,
    format: string
  ) {
    this.fp = {format, banners: [], maps: [], headers: [], keyNames: []};
  }
  emit(table: TableName, row: Row): void {
    this.inner.emit(table, row);
    if (table === "messages" && row.kind === "tool" && this.toolLines.length < 1000) this.toolLines.push(String(row.text));
    if (table === "messages" && this.fp.banners.length < 12 && (row.kind === "tool" || row.kind === "printf")) this.fp.banners.push(String(row.text).trim());
    else if ((table === "histograms" || table === "values" || table === "stacks") && typeof row.map === "string" && !this.maps.has(row.map)) {
      this.maps.add(row.map);
      this.fp.maps.push(row.map);
    }
    if (table === "histograms" && typeof row.key_name === "string" && !this.keyNames.has(row.key_name)) {
      this.keyNames.add(row.key_name);
      this.fp.keyNames.push(row.key_name);
    }
    if (table === "events" && !this.tables.has(Number(row.table_id))) {
      this.tables.add(Number(row.table_id));
      this.fp.headers.push(row.names as string[]);
    }
  }
}

/** A sink that can also have DuckDB read whole files itself (the Parquet writer). */
const canBulk = (sink: RowSink): sink is RowSink & BulkTarget => "addBulkStacks" in sink;

/** Parses every file of the bundle into `sink`; large plain folded files go to DuckDB whole when the sink allows. */
export async function convertBundle(bundle: Bundle, sink: RowSink, {bulk = true, targets = [] as string[], progress = undefined as Progress | undefined} = {}): Promise<ConvertSummary> {
  const summaries: FileSummary[] = [];
  let facts: ContextFacts | null = null;
  const sizes = bundle.files.map((f) => statSync(f.path).size);
  progress?.start(`converting ${bundle.id}`, sizes.reduce((a, b) => a + b, 0));
  let before = 0; // bytes of the files already converted
  let lines = 0;
  for (const [index, file] of bundle.files.entries()) {
    progress?.label(file.file);
    const ref = {capture_id: bundle.id, file: file.file};
    const summary = (meta: ParseResult, rows: Record<TableName, number>, fp: Fingerprint, toolLines: string[] = []): FileSummary => {
      // The manifest names a tool or kind where content cannot tell; else the content decides.
      const source = recognize(fp);
      const tool = file.tool ?? source?.tool ?? null;
      const kind = file.kindFromManifest ? file.kind : (source?.kind ?? file.kind);
      const listed = file.listed;
      const status = fileStatus({
        messages: [...toolLines, ...stderrOf(bundle, file)],
        lines: meta.counts.lines,
        data_lines: meta.counts.data_lines,
        trace: file.format !== "context" && file.format !== "document",
        manifest: listed ? {...listed, window_s: file.window_s} : null
      });
      return {file: file.file, kind, format: file.format, tool, status, recognized: meta.recognized, ...meta.counts, rows};
    };
    const inBulk = bulk && file.format === "folded" && canBulk(sink) ? await convertFoldedInBulk(sink, file.path, ref) : null;
    if (inBulk) {
      summaries.push(summary(inBulk, {...noRows(), ...inBulk.rows}, {format: "folded", banners: [], maps: [], headers: [], keyNames: []}));
    } else {
      const counting = new CountingSink(sink);
      const fingerprint = new FingerprintSink(counting, file.format);
      const parser = parserFor(file.format, ref, fingerprint);
      let at = 0; // the line number reached, for progress
      const onChunk = progress ? (bytes: number) => progress.update(before + bytes, lines + at) : undefined;
      await forEachLine(
        file.path,
        (line) => {
          at = line.no;
          parser.push(line);
        },
        undefined,
        onChunk
      );
      if (parser instanceof ContextParser) facts = parser.facts;
      summaries.push(summary(parser.end(), counting.rows, fingerprint.fp, fingerprint.toolLines));
    }
    before += sizes[index];
    lines += summaries[summaries.length - 1].lines;
    progress?.update(before, lines);
  }
  for (const [i, file] of bundle.files.entries()) {
    sink.emit("captures", captureRow(bundle, file, facts, summaries[i], targets));
  }
  return {capture_id: bundle.id, files: summaries};
}

/**
 * The stderr kept beside a file (the manifest's `stderr_file`, or the same name ending in
 * .stderr or .err), first 1,000 lines: bpftrace reports a failed attach there while its
 * output holds only the banner.
 */
function stderrOf(bundle: Bundle, file: BundleFile): string[] {
  const named = file.listed?.stderr_file;
  const stem = file.file.replace(/\.[^.]*$/, "");
  const sibling = bundle.files.find((f) => f.file !== file.file && (f.file === named || f.file === `${stem}.stderr` || f.file === `${stem}.err`));
  if (!sibling) return [];
  const fd = openSync(sibling.path, "r");
  try {
    const buffer = Buffer.alloc(1 << 20);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString("utf8").split("\n").slice(0, 1000);
  } finally {
    closeSync(fd);
  }
}

/** The line parser for a format. */
export function parserFor(format: Format, ref: FileRef, sink: RowSink): Parser {
  switch (format) {
    case "context":
      return new ContextParser(ref, sink);
    case "folded":
      return new FoldedParser(ref, sink);
    case "document":
      return new DocumentParser(ref, sink);
    case "bpftrace-text":
      return new BpftraceTextParser(ref, sink);
    case "bpftrace-json":
      return new BpftraceJsonParser(ref, sink);
    case "perf-script":
      return new PerfScriptParser(ref, sink);
    case "bcc-histogram":
      return new BccHistogramParser(ref, sink);
    case "bcc-stacks":
      return new BccStacksParser(ref, sink);
    case "table":
      return new TableParser(ref, sink);
  }
}

/** Target names given to convert or in the manifest (`--target`), for bundles whose context does not. */
function namedTargets(bundle: Bundle, given: string[]): string[] {
  if (given.length) return given;
  const target = bundle.manifest?.target;
  return Array.isArray(target) ? target.filter((t): t is string => typeof t === "string" && t !== "") : [];
}

const manifestText = (bundle: Bundle, key: string): string | null => (typeof bundle.manifest?.[key] === "string" ? (bundle.manifest[key] as string) : null);

function captureRow(bundle: Bundle, file: BundleFile, facts: ContextFacts | null, s: FileSummary, targets: string[]): Row {
  const named = namedTargets(bundle, targets);
  const threads = facts?.target_threads?.length ? facts.target_threads : named;
  return {
    capture_id: bundle.id,
    source: typeof bundle.manifest?.source === "string" ? bundle.manifest.source : bundle.dir,
    fetched_at: manifestText(bundle, "fetched_at") ?? manifestText(bundle, "started_at"),
    source_sha256: manifestText(bundle, "source_sha256"),
    target: facts?.target ?? named[0] ?? null,
    target_kind: facts?.target_kind ?? null,
    image: facts?.image ?? null,
    pid: facts?.pid ?? null,
    target_threads: threads,
    host: facts?.host ?? null,
    kernel: facts?.kernel ?? null,
    arch: facts?.arch ?? null,
    os: facts?.os ?? null,
    tools: facts?.tools ?? [],
    context_missing: facts ? facts.missing : ["context file"],
    file: file.file,
    kind: s.kind,
    format: file.format,
    tool: s.tool,
    window_s: file.window_s,
    sample_hz: typeof file.listed?.sample_hz === "number" ? file.listed.sample_hz : null,
    bytes: statSync(file.path).size,
    lines: s.lines,
    data_lines: s.data_lines,
    blank_lines: s.blank_lines,
    tool_lines: s.tool_lines,
    problem_lines: s.problem_lines,
    status: s.status.status,
    status_reason: s.status.reason,
    probes: s.status.probes,
    lost_events: s.status.lost_events
  };
}

/** A capture file the site cannot use at all (not the format its name promises). */
export class UnrecognizedFileError extends Error {}

/** Converts a bundle folder to Parquet tables in `outDir`; throws naming file and line if a file is not what it claims. */
export async function convertToParquet(
  bundleDir: string,
  outDir: string,
  {strict = true, bulk = true, targets = [] as string[], progress = undefined as Progress | undefined} = {}
): Promise<ConvertSummary> {
  const bundle = readBundle(bundleDir);
  const writer = await ParquetWriter.open();
  try {
    const summary = await convertBundle(bundle, writer, {bulk, targets, progress});
    if (strict) {
      const bad = summary.files.find((f) => !f.recognized && f.lines > 0);
      if (bad) {
        const first = await firstProblem(writer, bad.file);
        throw new UnrecognizedFileError(
          `${bundle.files.find((f) => f.file === bad.file)!.path}:${first.line}: ${first.reason}`
        );
      }
    }
    progress?.label("writing Parquet tables");
    await writer.writeTo(outDir);
    return summary;
  } catch (error) {
    writer.close();
    throw error;
  } finally {
    progress?.stop();
  }
}

async function firstProblem(writer: ParquetWriter, file: string): Promise<{line: number; reason: string}> {
  await writer.settle();
  const result = await writer.connection.runAndReadAll(
    `SELECT line, reason FROM problems WHERE file = $file ORDER BY line LIMIT 1`,
    {file}
  );
  const [row] = result.getRowObjectsJS() as {line: number; reason: string}[];
  return row ?? {line: 1, reason: "no data found"};
}

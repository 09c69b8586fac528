// Column tables, as snoop, slower and count tools print them: a header line of column
// names, then one row per event (or per counted thing):
//   TIME(s)     COMM           PID    DISK    T SECTOR     BYTES  LAT(ms)
//   0.000000    supervise      1950   xvda1   W 13092560   4096      0.74
// A header is a line of upper-case names (`LAT(ms)`, `TIME (ms)` kept as printed) naming
// at least one column this module knows. Rows split on whitespace; extra words go to the
// last column when it holds text (a path with spaces), else to the first text column
// (bcc's `[unknown: 321]` in syscount's SYSCALL column). A row with fewer fields than the header, or text in a
// numeric column, is a problem. `TableReader` is shared: bpftrace's text parser uses it
// for the tables its tools printf, `TableParser` for bcc tools' output.

import type {Line} from "../lines.js";
import {type LineCounts, type Row, type RowSink, emptyCounts} from "../model.js";
import {BINARY, type FileRef, type ParseResult, type Parser, isBlank, recordMessage, recordProblem} from "./common.js";

const NAME = /^[A-Z][A-Z0-9_]*(?:\([A-Za-z]+\))?$/;
const UNIT_ONLY = /^\([A-Za-z]+\)$/;
const KNOWN = /^(TIME|PID|TID|COMM|TASK|COUNT|SYSCALL|FUNC|LAT|LATENCY|BYTES|SIZE|KBYTES|KB|CALL|EVENT|T|D|TYPE|OP|DISK|PATH|FILENAME|FILE|FD|ERR|SECTOR|OFF_KB|PCOMM)$/;

/** The column names of a header line, or null when the line is not one. */
export function headerNames(text: string): string[] | null {
  const words = text.trim().split(/\s+/);
  if (words.length < 2) return null;
  const names: string[] = [];
  for (const w of words) {
    if (UNIT_ONLY.test(w) && names.length) names[names.length - 1] += ` ${w}`;
    else if (NAME.test(w)) names.push(w);
    else return null;
  }
  if (names.length < 2 || !names.some((n) => KNOWN.test(base(n)))) return null;
  return names;
}

const base = (name: string) => name.replace(/\s*\(.*\)$/, "").toUpperCase();
const unitOf = (name: string) => /\(([A-Za-z]+)\)$/.exec(name)?.[1].toLowerCase() ?? null;
const TO_US: Record<string, number> = {s: 1e6, ms: 1e3, us: 1, ns: 1e-3};
const TO_S: Record<string, number> = {s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9};
const NUMBER = /^-?\d+(\.\d+)?$/;
const CLOCK = /^(\d\d):(\d\d):(\d\d)(\.\d+)?$/;

type Typed = {column: keyof EventColumns; parse: (text: string) => number | string | null | undefined};
interface EventColumns {
  time_s: number | null;
  comm: string | null;
  pid: number | null;
  tid: number | null;
  op: string | null;
  bytes: number | null;
  latency_us: number | null;
  path: string | null;
  count: number | null;
  disk: string | null;
}

const number = (scale = 1) => (text: string) => (NUMBER.test(text) ? Number(text) * scale : undefined);
const textField = (text: string) => text;

/** How each column fills the typed columns; undefined from a parse means "does not fit". */
function typedColumn(name: string, index: number): Typed | null {
  const b = base(name);
  const unit = unitOf(name);
  if (index === 0 && b === "TIME") {
    const scale = TO_S[unit ?? "s"] ?? 1;
    return {
      column: "time_s",
      parse: (text) => {
        const clock = CLOCK.exec(text);
        if (clock) return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]) + Number(clock[4] ?? 0);
        return number(scale)(text);
      }
    };
  }
  if (b === "COMM" || b === "TASK" || b === "PCOMM") return {column: "comm", parse: textField};
  if (b === "PID") return {column: "pid", parse: number()};
  if (b === "TID") return {column: "tid", parse: number()};
  if (["T", "D", "TYPE", "CALL", "EVENT", "SYSCALL", "FUNC", "OP"].includes(b)) return {column: "op", parse: textField};
  if (b === "BYTES" || b === "SIZE") return {column: "bytes", parse: number()};
  if (b === "KBYTES" || b === "KB") return {column: "bytes", parse: number(1024)};
  if ((b === "LAT" || b === "LATENCY") && unit && unit in TO_US) return {column: "latency_us", parse: number(TO_US[unit])};
  if (b === "PATH" || b === "FILENAME" || b === "FILE") return {column: "path", parse: textField};
  if (b === "COUNT") return {column: "count", parse: number()};
  if (b === "DISK") return {column: "disk", parse: textField};
  return null;
}

const FREE_TEXT = /^(COMM|TASK|PCOMM|PATH|FILENAME|FILE|ARGS|COMMAND|NAME|FUNC|SYSCALL|CALL|EVENT|DISK)$/;

/** The column that takes a row's extra words: the last if it holds text, else the first that does. */
function absorbingColumn(names: string[]): number {
  if (FREE_TEXT.test(base(names[names.length - 1]))) return names.length - 1;
  const first = names.findIndex((n) => FREE_TEXT.test(base(n)));
  return first === -1 ? names.length - 1 : first;
}

const emptyEvent = (): EventColumns => ({time_s: null, comm: null, pid: null, tid: null, op: null, bytes: null, latency_us: null, path: null, count: null, disk: null});

/** Reads the rows under one header after another; the caller decides what else a line may be. */
export class TableReader {
  private names: string[] | null = null;
  private typed: (Typed | null)[] = [];
  private absorbing = 0;
  private tableId = 0;

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink,
    private readonly counts: LineCounts
  ) {}

  get open(): boolean {
    return this.names !== null;
  }

  /** Takes the line if it is a header; true when it did. */
  header(line: Line): boolean {
    const names = headerNames(line.text);
    if (!names) return false;
    this.names = names;
    this.typed = names.map(typedColumn);
    this.absorbing = absorbingColumn(names);
    this.tableId++;
    this.counts.data_lines++;
    return true;
  }

  /** Parses a row of the open table, recording a problem when it does not fit. */
  row({no, text}: Line): void {
    const names = this.names!;
    if (BINARY.test(text)) return recordProblem(this.sink, this.counts, this.ref, no, text, "binary or undecodable data");
    const words = text.trim().split(/\s+/);
    if (words.length < names.length) {
      return recordProblem(this.sink, this.counts, this.ref, no, text, `row has ${words.length} fields, the header at table ${this.tableId} has ${names.length} (${names.join(" ")})`);
    }
    const extra = words.length - names.length;
    const a = this.absorbing;
    const fields = [...words.slice(0, a), words.slice(a, a + extra + 1).join(" "), ...words.slice(a + extra + 1)];
    const event = emptyEvent();
    for (const [i, typed] of this.typed.entries()) {
      if (!typed) continue;
      const value = typed.parse(fields[i]);
      if (value === undefined) {
        return recordProblem(this.sink, this.counts, this.ref, no, text, `'${fields[i].slice(0, 40)}' in column ${names[i]} is not a number`);
      }
      (event as unknown as Record<string, unknown>)[typed.column] = value;
    }
    this.counts.data_lines++;
    const row: Row = Object.assign({capture_id: this.ref.capture_id, file: this.ref.file, line: no, table_id: this.tableId, names, fields} as Row, event);
    this.sink.emit("events", row);
  }
}

/** Tool lines of bcc tools: banners, interval timestamps, Ctrl-C, detaching. */
export const BCC_TOOL_LINE =
  /^(Tracing .*|Sampling .*|Counting .*|Hit Ctrl-C.*|\^C.*|Detaching\.\.\.|.*Ctrl[-+]C to (end|quit)\.?|Possibly lost \d+ samples|WARNING: .*|Warning: .*|ERROR: .*|Error: .*|\[\d\d:\d\d:\d\d\]|\d\d:\d\d:\d\d:?|.*[Hh]it Ctrl-C.*|Print .*|Use Ctrl-C .*)$/;

/** bcc-style column-table output: tool lines, then one or more tables. */
export class TableParser implements Parser {
  private counts = emptyCounts();
  private reader: TableReader;

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {
    this.reader = new TableReader(ref, sink, this.counts);
  }

  push(line: Line): void {
    this.counts.lines++;
    if (line.cut) return recordProblem(this.sink, this.counts, this.ref, line.no, line.text, "line too long; not parsed");
    if (isBlank(line.text)) {
      this.counts.blank_lines++;
      return;
    }
    if (this.reader.header(line)) return;
    if (BCC_TOOL_LINE.test(line.text.trim())) return recordMessage(this.sink, this.counts, this.ref, line.no, "tool", line.text);
    if (!this.reader.open) return recordProblem(this.sink, this.counts, this.ref, line.no, line.text, "not a table row: no column header line above it");
    this.reader.row(line);
  }

  end(): ParseResult {
    return {counts: this.counts, recognized: this.reader.open};
  }
}

/** A header line followed (after tool lines) by a row with at least as many fields. */
export function sniff(lines: string[]): boolean {
  const at = lines.findIndex((l) => headerNames(l) !== null);
  if (at === -1) return false;
  const names = headerNames(lines[at])!;
  const next = lines.slice(at + 1).find((l) => !isBlank(l) && !BCC_TOOL_LINE.test(l.trim()));
  return next === undefined || next.trim().split(/\s+/).length >= names.length;
}

// bpftrace's text output (what `bpftrace -o file` or a terminal shows) → rows.
//
// A line-driven state machine. bpftrace prints each map entry as
//   @name: value            @name[key]: value          (values, stats, text)
//   @name[key]:             followed by bucket lines   (hist, lhist)
//   @name[key]:             followed by indented frames (a stack stored as the value)
//   @name[                  key continued over lines   (a kstack/ustack inside the key)
//       frame ...
//   ]: value
// Everything else is a tool line (banner, warnings), printf output, or a problem.

import type {Line} from "../lines.js";
import {isBookkeepingMap, type RowSink, emptyCounts, unitOf} from "../model.js";
import {parseBucket} from "./buckets.js";
import {TableReader} from "./event-table.js";
import {IntervalClock} from "./interval-clock.js";
import {CONTROL, type FileRef, type ParseResult, type Parser, type Sniff, clip} from "./common.js";

/** bpftrace's probe banner or a map line anywhere in the first lines. */
export const sniff: Sniff = (lines) => lines.some((l) => /^Attaching \d+ probes?\.\.\.$/.test(l) || /^@[A-Za-z0-9_]*[[:]/.test(l));

export const TOOL_LINE =
  /^(Attaching \d+ probes?\.\.\.|Attached \d+ probes?|Lost \d+ events?|WARNING: .*|ERROR: .*|Error: .*|stdin:\d+.*|[^\s:]+\.bt:\d+.*|Running\.\.\.|HINT: .*|Failed to .*|Unable to .*|ERROR.*)$/;
const BANNER = /^Attaching \d+ probes?\.\.\.$/;
const HEADER = /^(@[A-Za-z0-9_]*)(\[|:)/;
const HEADER_WITH_KEY = /^(@[A-Za-z0-9_]*)\[(.*)\]:(?: (.*))?$/;
const HEADER_NO_KEY = /^(@[A-Za-z0-9_]*):(?: (.*))?$/;
const GLUED_HEADER = /^([^@]*\S)(@[A-Za-z0-9_]*(?:\[.*\]: ?|: ?|\[)(?:\S.*)?)$/;
const KEY_CLOSE = /^(\S.*)?\]:(?: (.*))?$/;
const STATS = /^count (-?\d+), average (-?\d+), total (-?\d+)$/;
const INTEGER = /^-?\d+$/;
// Text a program could print: no control characters, no bytes that failed to decode.
const PRINTABLE = new RegExp(`^[^${CONTROL}]*$`);

type State =
  | {kind: "idle"}
  | {kind: "key"; map: string; start: number; firstLine: string; lines: Line[]}
  | {kind: "block"; entry: Entry}
  | {kind: "hist"; entry: Entry; series: number}
  | {kind: "stackValue"; entry: Entry; frames: string[]; lines: number};

/** One printed map entry: its map, key and where it began. */
interface Entry {
  map: string;
  key: string | null;
  stack: string[] | null; // frames of a stack inside the key, leaf first as printed
  start: number;
  lines: Line[]; // the header line, and those of a multi-line key
}

export class BpftraceTextParser implements Parser {
  private state: State = {kind: "idle"};
  private readonly counts = emptyCounts();
  private recognized = false;
  private seriesSeen = new Map<number, number>();
  private stackId = 0;
  // Tables the program printf()s (snoop tools: a header, then a row per event).
  private table: TableReader;
  private clock = new IntervalClock();

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {
    this.table = new TableReader(ref, sink, this.counts);
  }

  push(line: Line): void {
    this.counts.lines++;
    if (line.cut) {
      this.closeOpenState();
      this.problem(line.no, line.text, `line longer than ${line.text.length} characters; not parsed`);
      return;
    }
    this.step(line);
  }

  end(): ParseResult {
    this.closeOpenState();
    return {counts: this.counts, recognized: this.recognized};
  }

  private step(line: Line): void {
    const s = this.state;
    switch (s.kind) {
      case "key":
        return this.continueKey(s, line);
      case "block":
        return this.startBlock(s.entry, line);
      case "hist":
        if (this.bucket(s, line)) return;
        this.state = {kind: "idle"};
        return this.idle(line);
      case "stackValue":
        if (/^\s+\S/.test(line.text)) {
          s.frames.push(line.text.trim());
          s.lines++;
          return;
        }
        this.flushStackValue(s);
        this.state = {kind: "idle"};
        return this.idle(line);
      case "idle":
        return this.idle(line);
    }
  }

  private idle(line: Line): void {
    const {text, no} = line;
    if (text.trim() === "") {
      this.counts.blank_lines++;
      return;
    }
    if (TOOL_LINE.test(text)) {
      if (BANNER.test(text)) this.recognized = true;
      this.message(no, "tool", text);
      return;
    }
    if (HEADER.test(text)) return this.header(line);
    const glued = this.recognized ? GLUED_HEADER.exec(text) : null;
    if (glued) {
      // A printf without its newline, then the first map printed at exit (bitesize.bt does
      // this): the printf text is kept as a message on the same line, the map parsed.
      this.sink.emit("messages", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, kind: "printf", text: glued[1]});
      return this.header({...line, text: glued[2]});
    }
    // time() before an interval's print(): the rows after it belong to that interval.
    if (this.recognized && this.clock.tick(text)) return this.message(no, "printf", text);
    if (this.recognized && this.table.header(line)) return;
    if (this.table.open && !/^\s/.test(text)) return this.table.row(line);
    const bucket = parseBucket(text);
    if (bucket) return this.problem(no, text, "histogram bucket outside a histogram");
    if (/^\s+\S/.test(text) && this.recognized) return this.problem(no, text, "stack frame outside a map entry");
    if (!PRINTABLE.test(text)) return this.problem(no, text, "binary or undecodable data");
    if (!this.recognized) {
      return this.problem(no, text, "not bpftrace output: expected an 'Attaching N probes...' banner or an @map line");
    }
    this.message(no, "printf", text);
  }

  private header(line: Line): void {
    const {text, no} = line;
    this.recognized = true;
    const withKey = HEADER_WITH_KEY.exec(text);
    if (withKey) {
      const [, map, key, value] = withKey;
      return this.entryValue({map, key, stack: null, start: no, lines: [line]}, value);
    }
    const noKey = HEADER_NO_KEY.exec(text);
    if (noKey) {
      const [, map, value] = noKey;
      return this.entryValue({map, key: null, stack: null, start: no, lines: [line]}, value);
    }
    const open = /^(@[A-Za-z0-9_]*)\[(.*)$/.exec(text);
    if (open) {
      this.state = {kind: "key", map: open[1], start: no, firstLine: open[2], lines: [line]};
      return;
    }
    this.problem(no, text, "malformed map line");
  }

  private continueKey(s: Extract<State, {kind: "key"}>, line: Line): void {
    const close = KEY_CLOSE.exec(line.text);
    if (close) {
      s.lines.push(line);
      // Two stacks in one key (kstack, ustack) are parted by a line holding only ",".
      const frames = s.lines.slice(1, -1).map((l) => l.text.trim()).filter((f) => f !== ",");
      // Parts before the stack end with "," (and maybe a space); parts after it start with ",".
      const before = s.firstLine.replace(/,\s*$/, "").split(", ").filter((p) => p !== "");
      const after = (close[1] ?? "").replace(/^,\s*/, "").split(", ").filter((p) => p !== "");
      const parts = [...before, ...after];
      const entry: Entry = {
        map: s.map,
        key: parts.length ? parts.join(", ") : null,
        stack: frames,
        start: s.start,
        lines: s.lines
      };
      this.state = {kind: "idle"};
      return this.entryValue(entry, close[2]);
    }
    if ((/^\s+\S/.test(line.text) || /^,\s*$/.test(line.text)) && !line.last) {
      s.lines.push(line);
      return;
    }
    // The key never closed: every line it swallowed is a problem, and this line starts afresh.
    this.state = {kind: "idle"};
    for (const l of s.lines) this.problem(l.no, l.text, `map key opened at line ${s.start} never closed with ']:'`);
    if (/^\s+\S/.test(line.text)) return this.problem(line.no, line.text, `map key opened at line ${s.start} never closed with ']:'`);
    this.idle(line);
  }

  private entryValue(entry: Entry, value: string | undefined): void {
    const raw = (value ?? "").trim();
    if (raw === "") {
      this.state = {kind: "block", entry};
      return;
    }
    const stats = STATS.exec(raw);
    if (entry.stack) {
      if (!INTEGER.test(raw)) return this.headerProblem(entry, `stack entry with a non-numeric value '${cut(raw, 80)}'`);
      this.counts.data_lines += entry.lines.length;
      return this.emitStack(entry, Number(raw));
    }
    this.counts.data_lines += entry.lines.length;
    if (stats) {
      const series = this.series(entry);
      for (const [i, stat] of ["count", "average", "total"].entries()) {
        this.emitValue(entry, series, stat, Number(stats[i + 1]), null);
      }
    } else if (INTEGER.test(raw)) {
      this.emitValue(entry, this.series(entry), "value", Number(raw), null);
    } else {
      this.emitValue(entry, this.series(entry), "value", null, raw);
    }
  }

  private startBlock(entry: Entry, line: Line): void {
    if (parseBucket(line.text)) {
      const hist = {kind: "hist" as const, entry, series: this.series(entry)};
      this.state = hist;
      this.counts.data_lines += entry.lines.length;
      this.bucket(hist, line);
      return;
    }
    if (/^\s+\S/.test(line.text)) {
      this.counts.data_lines += entry.lines.length;
      this.state = {kind: "stackValue", entry, frames: [line.text.trim()], lines: 1};
      return;
    }
    this.state = {kind: "idle"};
    this.headerProblem(entry, "map entry with no value");
    this.idle(line);
  }

  /** Parses a bucket line into the current histogram; false if the line is not a bucket. */
  private bucket({entry, series}: Extract<State, {kind: "hist"}>, line: Line): boolean {
    const bucket = parseBucket(line.text);
    if (!bucket) return false;
    if ("error" in bucket) {
      this.problem(line.no, line.text, bucket.error);
      return true;
    }
    this.counts.data_lines++;
    this.sink.emit("histograms", Object.assign(this.entryColumns(entry, series), {lo: bucket.lo, hi: bucket.hi, count: bucket.count, unit: unitOf(entry.map), line: line.no}));
    return true;
  }

  private flushStackValue(s: Extract<State, {kind: "stackValue"}>): void {
    this.counts.data_lines += s.lines;
    this.sink.emit("stacks", {
      capture_id: this.ref.capture_id,
      file: this.ref.file,
      map: s.entry.map,
      key: s.entry.key,
      stack_id: ++this.stackId,
      frames: [...s.frames].reverse(),
      value: null,
      unit: null,
      // A stack held as a map value is state saved for a later probe (e.g. @ks[tid] = kstack).
      bookkeeping: true,
      line: s.entry.start
    });
  }

  private emitStack(entry: Entry, value: number): void {
    this.sink.emit("stacks", {
      capture_id: this.ref.capture_id,
      file: this.ref.file,
      map: entry.map,
      key: entry.key,
      stack_id: ++this.stackId,
      frames: [...(entry.stack ?? [])].reverse(),
      value,
      unit: unitOf(entry.map),
      bookkeeping: isBookkeepingMap(entry.map),
      line: entry.start
    });
  }

  private emitValue(entry: Entry, series: number, stat: string, value: number | null, text: string | null): void {
    this.sink.emit("values", Object.assign(this.entryColumns(entry, series), {stat, value, text, unit: unitOf(entry.map, "count"), line: entry.start}));
  }

  /** The columns every histogram and value row of a map entry shares (written out: rows built by spread cost V8 ~10 µs each). */
  private entryColumns(entry: Entry, series: number) {
    return {
      capture_id: this.ref.capture_id,
      file: this.ref.file,
      map: entry.map,
      key: entry.key,
      key_parts: entry.key === null ? [] : entry.key.split(", "),
      key_ambiguous: false,
      series,
      bookkeeping: isBookkeepingMap(entry.map),
      t_s: this.clock.t_s,
      wall_time: this.clock.wall_time
    };
  }

  private series(entry: Entry): number {
    // Keyed by a 64-bit digest, not the text: map keys are slices of megabyte-sized decoded
    // chunks, and holding them kept every chunk of a large capture in memory.
    const id = digest(`${entry.map}\u0000${entry.key ?? ""}\u0000${entry.stack?.join("\n") ?? ""}`);
    const n = (this.seriesSeen.get(id) ?? 0) + 1;
    this.seriesSeen.set(id, n);
    return n;
  }

  /** At end of input (or before a cut line) settle whatever entry was open. */
  private closeOpenState(): void {
    const s = this.state;
    this.state = {kind: "idle"};
    if (s.kind === "key") {
      for (const l of s.lines) this.problem(l.no, l.text, `map key opened at line ${s.start} never closed with ']:'`);
    } else if (s.kind === "block") {
      this.headerProblem(s.entry, "map entry with no value (input ended)");
    } else if (s.kind === "stackValue") {
      this.flushStackValue(s);
    }
  }

  private headerProblem(entry: Entry, reason: string): void {
    for (const l of entry.lines) this.problem(l.no, l.text, reason);
  }

  private message(no: number, kind: "tool" | "printf", text: string): void {
    this.counts.tool_lines++;
    this.sink.emit("messages", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, kind, text});
  }

  private problem(no: number, text: string, reason: string): void {
    this.counts.problem_lines++;
    this.sink.emit("problems", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, text: clip(text), reason});
  }
}


function cut(text: string, n: number): string {
  return text.length > n ? text.slice(0, n) + "…" : text;
}

/** Two 32-bit hashes (FNV-1a and a Murmur-style mix) as one 53-bit number: compact as a Map key. */
function digest(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 2 ** 21 + ((b ^ text.length) >>> 11);
}

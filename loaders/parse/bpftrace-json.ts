// bpftrace's `-f json` output: one JSON object per line, {"type": ..., "data": ...}.
//   map    {"@m": 5} or {"@m": {"key": 5}}; multi-keys are joined with ","; a kstack in a
//          key is its frames, each on a "\n"-separated line; a stack as a value likewise
//   hist   {"@m": [{"min": a, "max": b, "count": n}, ...]} (max inclusive; first bucket may
//          lack min, last may lack max) or {"@m": {"key": [...]}}
//   stats  {"@m": {"count": c, "average": a, "total": t}} or keyed; avg() maps are
//          "stats" events holding a bare number per key, as text prints them: values
//   printf, attached_probes, lost_events, time, error, ...: messages
// Lines bpftrace writes to stderr (when mixed in) are tool lines; anything else a problem.

import type {Line} from "../lines.js";
import {isBookkeepingMap, type LineCounts, type RowSink, emptyCounts, unitOf} from "../model.js";
import {TOOL_LINE} from "./bpftrace-text.js";
import {TableReader} from "./event-table.js";
import {IntervalClock} from "./interval-clock.js";
import {type FileRef, type ParseResult, type Parser, type Sniff, clip, firstMeaningful} from "./common.js";

/** One JSON object per line. */
export const sniff: Sniff = (lines) => firstMeaningful(lines)?.line.startsWith("{") ?? false;

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
const isObject = (v: Json): v is {[key: string]: Json} => typeof v === "object" && v !== null && !Array.isArray(v);
const isStats = (v: Json) => isObject(v) && "count" in v && "average" in v && "total" in v && typeof v.count === "number";

export class BpftraceJsonParser implements Parser {
  private counts: LineCounts = emptyCounts();
  private recognized = false;
  private stackId = 0;
  private seriesSeen = new Map<string, number>();
  private clock = new IntervalClock();
  /** printf text waiting for its newline (a row printed in pieces). */
  private pendingText = "";
  private table: TableReader;

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {
    this.table = new TableReader(ref, sink, this.counts);
  }

  push({no, text, cut}: Line): void {
    this.counts.lines++;
    if (text.trim() === "") {
      this.counts.blank_lines++;
      return;
    }
    if (cut) return this.problem(no, text, "line too long; not parsed");
    if (!text.trimStart().startsWith("{")) {
      if (TOOL_LINE.test(text)) return this.message(no, "tool", text);
      return this.problem(no, text, "not bpftrace JSON: expected a {\"type\": ...} object");
    }
    let event: Json;
    try {
      event = JSON.parse(text);
    } catch (error) {
      return this.problem(no, text, `invalid JSON: ${(error as Error).message}`);
    }
    if (!isObject(event) || typeof event.type !== "string") return this.problem(no, text, "JSON without a \"type\"");
    this.recognized = true;
    const {type, data} = event;
    if (type === "map" || type === "hist" || type === "stats") {
      if (!isObject(data)) return this.problem(no, text, `${type} event without an object "data"`);
      // One line can hold many entries; if any fails, the line counts once, as a problem line.
      this.entryProblems = 0;
      for (const [map, value] of Object.entries(data)) this.entry(no, text, type, map, value);
      if (this.entryProblems > 0) this.counts.problem_lines++;
      else this.counts.data_lines++;
      this.entryProblems = -1;
      return;
    }
    if (type === "time" && typeof data === "string") this.clock.tick(data);
    if ((type === "printf" || type === "time") && typeof data === "string" && this.tableLine(no, data)) return;
    if (type === "printf" || type === "time" || type === "join") {
      return this.message(no, "printf", typeof data === "string" ? data.replace(/\n$/, "") : JSON.stringify(data));
    }
    this.message(no, "tool", text);
  }

  private entry(no: number, text: string, type: string, map: string, value: Json): void {
    if (type === "hist") {
      if (Array.isArray(value)) return this.histogram(no, text, map, null, value);
      if (!isObject(value)) return this.problem(no, text, `hist ${map} is neither buckets nor keyed buckets`);
      for (const [key, buckets] of Object.entries(value)) {
        if (!Array.isArray(buckets)) return this.problem(no, text, `hist ${map}[${key}] has no bucket list`);
        this.histogram(no, text, map, key, buckets);
      }
      return;
    }
    if (type === "stats") {
      if (isStats(value)) return this.stats(no, map, null, value as {[k: string]: Json});
      if (typeof value === "number") return this.value(no, text, map, null, value);
      if (!isObject(value)) return this.problem(no, text, `stats ${map} is neither stats nor a number`);
      for (const [key, stats] of Object.entries(value)) {
        if (typeof stats === "number") this.value(no, text, map, key, stats);
        else if (isStats(stats)) this.stats(no, map, key, stats as {[k: string]: Json});
        else return this.problem(no, text, `stats ${map}[${key}] is neither count/average/total nor a number`);
      }
      return;
    }
    if (isObject(value)) {
      for (const [key, v] of Object.entries(value)) this.value(no, text, map, key, v);
    } else {
      this.value(no, text, map, null, value);
    }
  }

  private histogram(no: number, text: string, map: string, rawKey: string | null, buckets: Json[]): void {
    const key = splitKey(rawKey);
    const series = this.series(map, rawKey);
    for (const b of buckets) {
      if (!isObject(b) || typeof b.count !== "number" || (b.min !== undefined && typeof b.min !== "number") || (b.max !== undefined && typeof b.max !== "number")) {
        this.problem(no, text, `bad bucket ${JSON.stringify(b).slice(0, 80)} in ${map}`);
        continue;
      }
      this.sink.emit("histograms", Object.assign(this.keyColumns(map, key), {
        series,
        lo: typeof b.min === "number" ? b.min : null,
        // JSON gives an inclusive max; the tables use exclusive upper bounds.
        hi: typeof b.max === "number" ? b.max + 1 : null,
        count: b.count,
        unit: unitOf(map),
        line: no
      }));
    }
  }

  private stats(no: number, map: string, rawKey: string | null, stats: {[k: string]: Json}): void {
    const key = splitKey(rawKey);
    const series = this.series(map, rawKey);
    for (const stat of ["count", "average", "total"]) {
      this.sink.emit("values", Object.assign(this.keyColumns(map, key), {
        series,
        stat,
        value: Number(stats[stat]),
        text: null,
        unit: unitOf(map, "count"),
        line: no
      }));
    }
  }

  private value(no: number, text: string, map: string, rawKey: string | null, value: Json): void {
    const key = splitKey(rawKey);
    if (key.stack) {
      if (typeof value !== "number") return this.problem(no, text, `stack entry of ${map} with a non-numeric value`);
      return this.stack(no, map, key.key, key.stack, value, unitOf(map), isBookkeepingMap(map));
    }
    if (typeof value === "string" && value.startsWith("\n")) {
      // A stack held as a map value: state saved for a later probe (e.g. @ks[tid] = kstack).
      return this.stack(no, map, key.key, frames(value), null, null, true);
    }
    this.sink.emit("values", Object.assign(this.keyColumns(map, key), {
      series: this.series(map, rawKey),
      stat: "value",
      value: typeof value === "number" ? value : null,
      text: typeof value === "number" ? null : typeof value === "string" ? value : JSON.stringify(value),
      unit: unitOf(map, "count"),
      line: no
    }));
  }

  private stack(no: number, map: string, key: string | null, leafFirst: string[], value: number | null, unit: string | null, bookkeeping: boolean): void {
    this.sink.emit("stacks", {capture_id: this.ref.capture_id, file: this.ref.file, map, key, stack_id: ++this.stackId, frames: [...leafFirst].reverse(), value, unit, bookkeeping, line: no});
  }

  /** The columns every histogram and value row of one map entry shares. */
  private keyColumns(map: string, key: {key: string | null; parts: string[]}) {
    return {capture_id: this.ref.capture_id, file: this.ref.file, map, key: key.key, key_parts: key.parts, key_ambiguous: false, bookkeeping: isBookkeepingMap(map), t_s: this.clock.t_s, wall_time: this.clock.wall_time};
  }

  private series(map: string, key: string | null): number {
    const id = `${map}\u0000${key ?? ""}`;
    const n = (this.seriesSeen.get(id) ?? 0) + 1;
    this.seriesSeen.set(id, n);
    return n;
  }

  /**
   * Snoop tools printf a table (a header, then a row per event), and a row may come in two
   * events: time("%H:%M:%S ") then printf("pid comm ...\n"). Text without a newline waits
   * for the rest; an event that completes exactly one line which is a header, or a row of an
   * open table, goes to `events` (a row that does not fit is a problem). True when taken.
   */
  private tableLine(no: number, data: string): boolean {
    const text = this.pendingText + data;
    const newline = text.indexOf("\n");
    if (newline === -1) {
      this.pendingText = text.length < 4096 ? text : "";
      return false;
    }
    this.pendingText = "";
    if (newline !== text.length - 1) return false;
    const line = {no, text: text.slice(0, -1), cut: false, last: false};
    if (this.table.header(line)) return true;
    if (!this.table.open || line.text.trim() === "") return false;
    this.table.row(line);
    return true;
  }

  private message(no: number, kind: "tool" | "printf", text: string): void {
    this.counts.tool_lines++;
    this.sink.emit("messages", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, kind, text});
  }

  /** -1 outside a data line; inside one, the problems its entries had so far. */
  private entryProblems = -1;

  private problem(no: number, text: string, reason: string): void {
    if (this.entryProblems >= 0) this.entryProblems++;
    else this.counts.problem_lines++;
    this.sink.emit("problems", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, text: clip(text), reason});
  }

  end(): ParseResult {
    return {counts: this.counts, recognized: this.recognized};
  }
}

const frames = (text: string) =>
  text
    .split("\n")
    .map((f) => f.trim())
    .filter((f) => f !== "");

/**
 * JSON keys join parts with ","; a stack part is "\n" then one indented frame per line,
 * and it may stand anywhere among the parts (`@[kstack, comm]` → "\n  f\n  g\n,comm").
 */
function splitKey(raw: string | null): {key: string | null; parts: string[]; stack: string[] | null} {
  if (raw === null) return {key: null, parts: [], stack: null};
  if (!raw.includes("\n")) return {key: raw, parts: raw.split(","), stack: null};
  const stack: string[] = [];
  const parts: string[] = [];
  for (const line of raw.split("\n")) {
    if (/^\s+\S/.test(line)) stack.push(line.trim());
    else parts.push(...line.split(",").filter((p) => p !== ""));
  }
  return {key: parts.length ? parts.join(",") : null, parts, stack};
}

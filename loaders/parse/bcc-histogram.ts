// bcc's histogram text (biolatency, ext4dist, runqlat, bitesize, funclatency…):
//   Bucket disk = 'xvdb'                       a section label (optional, many per file)
//        usecs               : count     distribution
//            0 -> 1          : 0        |                    |    log2: inclusive ranges
//          128 -> 255        : 12       |********            |
//   avg = 663 usecs, total: 16575 usecs, count: 25            -e summary
// Linear histograms print one value per row (`   3   : 12   |**|`). Interval output puts a
// timestamp line (`06:20:16`) before each set: every set gets the next `series`.

import type {Line} from "../lines.js";
import {emptyCounts, type RowSink} from "../model.js";
import {type FileRef, type ParseResult, type Parser, isBlank, recordMessage, recordProblem} from "./common.js";
import {BCC_TOOL_LINE} from "./event-table.js";
import {IntervalClock} from "./interval-clock.js";

const HEADER = /^\s*(\S+)\s+: count\s+distribution\s*$/;
const LOG2 = /^\s*(\d+) -> (\d+)\s*: (\d+)\s+\|[^|]*\|?\s*$/;
const LINEAR = /^\s*(\d+)\s*: (\d+)\s+\|[^|]*\|?\s*$/;
const LABEL = /^(?:Bucket )?([A-Za-z_][\w ]*?) = '?(.*?)'?$/;
const SUMMARY = /^avg = (\d+(?:\.\d+)?) (\w+), total: (\d+(?:\.\d+)?) \w+, count: (\d+)$/;

const UNITS: Record<string, string> = {usecs: "us", usec: "us", msecs: "ms", msec: "ms", nsecs: "ns", nsec: "ns", secs: "s", bytes: "bytes", kbytes: "kbytes"};
const unitOfHeader = (word: string) => UNITS[word.toLowerCase()] ?? "value";

export class BccHistogramParser implements Parser {
  private counts = emptyCounts();
  private label: {name: string; value: string} | null = null;
  private unit: string | null = null;
  private interval = 1;
  private clock = new IntervalClock();
  private recognized = false;

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {}

  push({no, text, cut}: Line): void {
    this.counts.lines++;
    if (cut) return recordProblem(this.sink, this.counts, this.ref, no, text, "line too long; not parsed");
    if (isBlank(text)) {
      this.counts.blank_lines++;
      return;
    }
    const trimmed = text.trim();
    if (this.clock.tick(trimmed)) {
      // A new interval: the sections after it are a new series, unlabelled until a label says.
      if (this.recognized) this.interval++;
      this.label = null;
      return recordMessage(this.sink, this.counts, this.ref, no, "tool", text);
    }
    const header = HEADER.exec(text);
    if (header) {
      this.unit = unitOfHeader(header[1]);
      this.recognized = true;
      this.counts.data_lines++;
      return;
    }
    const bucket = LOG2.exec(text) ?? LINEAR.exec(text);
    if (bucket) {
      if (this.unit === null) return recordProblem(this.sink, this.counts, this.ref, no, text, "histogram row before a 'unit : count distribution' header");
      const log2 = bucket.length === 4;
      const lo = Number(bucket[1]);
      const hi = log2 ? Number(bucket[2]) + 1 : lo + 1; // printed ranges are inclusive
      const count = Number(bucket[log2 ? 3 : 2]);
      if (!(lo < hi)) return recordProblem(this.sink, this.counts, this.ref, no, text, `empty bucket ${bucket[1]} -> ${bucket[2]}`);
      this.counts.data_lines++;
      this.sink.emit("histograms", Object.assign(this.keyColumns(), {
        lo,
        hi,
        count,
        unit: this.unit,
        bookkeeping: false,
        line: no
      }));
      return;
    }
    const summary = SUMMARY.exec(trimmed);
    if (summary) {
      this.counts.data_lines++;
      const unit = unitOfHeader(summary[2]);
      for (const [stat, value] of [["average", summary[1]], ["total", summary[3]], ["count", summary[4]]] as const) {
        this.sink.emit(
          "values",
          Object.assign(this.keyColumns(), {
            stat,
            value: Number(value),
            text: null,
            unit: stat === "count" ? "count" : unit,
            bookkeeping: false,
            line: no
          })
        );
      }
      return;
    }
    if (BCC_TOOL_LINE.test(trimmed)) return recordMessage(this.sink, this.counts, this.ref, no, "tool", text);
    const label = LABEL.exec(trimmed);
    if (label) {
      this.label = {name: label[1], value: label[2]};
      this.counts.data_lines++;
      return;
    }
    recordProblem(this.sink, this.counts, this.ref, no, text, "not bcc histogram output: expected a 'unit : count distribution' header, a 'lo -> hi : count' row or a 'name = value' label");
  }

  /** The columns every histogram and value row of the current section shares: its label is the key (`key_name` is stored for histograms; the writer stores only a table's own columns). */
  private keyColumns() {
    const label = this.label;
    return {
      capture_id: this.ref.capture_id,
      file: this.ref.file,
      map: null,
      key: label?.value ?? null,
      key_parts: label ? [label.value] : [],
      key_ambiguous: false,
      series: this.interval,
      t_s: this.clock.t_s,
      wall_time: this.clock.wall_time,
      key_name: label?.name ?? null
    };
  }

  end(): ParseResult {
    return {counts: this.counts, recognized: this.recognized};
  }
}

export const sniff = (lines: string[]) => lines.some((l) => HEADER.test(l));

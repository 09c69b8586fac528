// Folded stacks (`frame;frame;...;leaf count`), as written by stackcollapse-perf or
// bpfbook's own perf-script collapser. Frames are root first; a frame may contain
// spaces, so the count is whatever follows the last space.

import type {Line} from "../lines.js";
import {type LineCounts, type RowSink, emptyCounts} from "../model.js";
import type {FileRef, ParseResult} from "./bpftrace-text.js";

const LINE = /^(.*\S)\s+(\d+)$/;

export class FoldedParser {
  private counts: LineCounts = emptyCounts();
  private stackId = 0;
  private recognized = false;

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {}

  push({no, text, cut}: Line): void {
    this.counts.lines++;
    if (text.trim() === "") {
      this.counts.blank_lines++;
      return;
    }
    const m = cut ? null : LINE.exec(text);
    if (!m || /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/.test(text)) {
      this.counts.problem_lines++;
      const reason = cut ? "line too long" : m ? "binary or undecodable data" : "not a folded stack: expected 'frame;frame;... count'";
      this.sink.emit("problems", {...this.ref, line: no, text: text.slice(0, 500), reason});
      return;
    }
    this.recognized = true;
    this.counts.data_lines++;
    this.sink.emit("stacks", {
      ...this.ref,
      map: null,
      key: null,
      stack_id: ++this.stackId,
      frames: m[1].split(";"),
      value: Number(m[2]),
      unit: "samples",
      bookkeeping: false,
      line: no
    });
  }

  end(): ParseResult {
    return {counts: this.counts, recognized: this.recognized};
  }
}

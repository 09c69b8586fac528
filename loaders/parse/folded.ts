// Folded stacks (`frame;frame;...;leaf count`), as written by stackcollapse-perf or
// bpfbook's own perf-script collapser. Frames are root first; a frame may contain
// spaces, so the count is whatever follows the last space. The same rules run in SQL
// (folded-bulk.ts) for large files; keep the two in step (a test compares them).

import type {Line} from "../lines.js";
import {type LineCounts, type RowSink, emptyCounts} from "../model.js";
import {BINARY, type FileRef, type ParseResult, type Parser, type Sniff, firstMeaningful, isBlank, recordProblem} from "./common.js";

/** `frame;frame;... count` on the first line. */
export const sniff: Sniff = (lines) => {
  const line = firstMeaningful(lines)?.line ?? "";
  return !line.startsWith("@") && !/^Attaching/.test(line) && /^[^\s;][^;]*;.*\s\d+$/.test(line);
};

/** Splits a folded line at its last space into frames and count, or says why it can't. */
export function foldedLine(text: string): {frames: string[]; value: number} | {reason: string} {
  if (BINARY.test(text)) return {reason: "binary or undecodable data"};
  const space = text.lastIndexOf(" ");
  const head = text.slice(0, Math.max(space, 0)).replace(/[ \t]+$/, "");
  const count = text.slice(space + 1);
  if (space < 0 || head === "" || !/^[0-9]+$/.test(count)) return {reason: "not a folded stack: expected 'frame;frame;... count'"};
  return {frames: head.split(";"), value: Number(count)};
}

export class FoldedParser implements Parser {
  private counts: LineCounts = emptyCounts();
  private stackId = 0;
  private recognized = false;

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {}

  push({no, text, cut}: Line): void {
    this.counts.lines++;
    if (!cut && isBlank(text)) {
      this.counts.blank_lines++;
      return;
    }
    const parsed = cut ? {reason: "line too long"} : foldedLine(text);
    if ("reason" in parsed) {
      return recordProblem(this.sink, this.counts, this.ref, no, text, parsed.reason);
    }
    this.recognized = true;
    this.counts.data_lines++;
    this.sink.emit("stacks", {
      capture_id: this.ref.capture_id,
      file: this.ref.file,
      map: null,
      key: null,
      stack_id: ++this.stackId,
      frames: parsed.frames,
      value: parsed.value,
      unit: "samples",
      bookkeeping: false,
      line: no
    });
  }

  end(): ParseResult {
    return {counts: this.counts, recognized: this.recognized};
  }
}

// bcc's multi-line stacks (offcputime, profile, stackcount, wakeuptime without -f):
//       schedule                       frames, leaf first, indented
//       --                             between kernel and user stacks (-d)
//       read
//       -                dd (25036)    the task, name and pid (older bcc: a last frame)
//           9                          the stack's value: µs, samples or calls
// The task becomes the root frame, as bcc's folded output (-f) puts it, and `key` keeps
// it as printed. The unit comes from the banner: "off-CPU time (us)", "Sampling at".

import type {Line} from "../lines.js";
import {emptyCounts, type RowSink} from "../model.js";
import {BINARY, type FileRef, type ParseResult, type Parser, isBlank, recordMessage, recordProblem} from "./common.js";
import {BCC_TOOL_LINE} from "./event-table.js";

const COUNT = /^\s+(\d+)$/;
const TASK = /^\s+-\s+(.*?)(?: \((\d+)\))?$/;
const SEPARATOR = /^\s+--$/;
const FRAME = /^\s+\S/;

/** The unit a bcc stack tool's banner announces. */
function unitOfBanner(text: string): string | null {
  const time = /(?:off-CPU|blocked|wakeup) time \((\w+)\)/i.exec(text);
  if (time) return {us: "us", ms: "ms", ns: "ns", usecs: "us", msecs: "ms"}[time[1].toLowerCase()] ?? time[1];
  if (/^Sampling at/.test(text)) return "samples";
  if (/^Tracing \d+ functions/.test(text)) return "count";
  return null;
}

export class BccStacksParser implements Parser {
  private counts = emptyCounts();
  private frames: string[] = [];
  private lines: Line[] = [];
  private task: string | null = null;
  /** Frames before `--`: the kernel stack, when bcc separates it from the user one. */
  private kernel: number | null = null;
  private unit: string | null = null;
  private stackId = 0;

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {}

  push(line: Line): void {
    this.counts.lines++;
    if (line.cut) return recordProblem(this.sink, this.counts, this.ref, line.no, line.text, "line too long; not parsed");
    this.step(line);
  }

  private step(line: Line): void {
    const {no, text} = line;
    if (isBlank(text)) {
      if (this.lines.length) this.unfinished("stack ended without its count line");
      this.counts.blank_lines++;
      return;
    }
    if (BINARY.test(text)) return recordProblem(this.sink, this.counts, this.ref, no, text, "binary or undecodable data");
    const count = COUNT.exec(text);
    if (count && this.lines.length) {
      this.counts.data_lines += this.lines.length + 1;
      const frames = [...this.frames].reverse();
      if (this.task !== null) frames.unshift(this.task.replace(/ \(\d+\)$/, ""));
      this.sink.emit("stacks", {
        capture_id: this.ref.capture_id,
        file: this.ref.file,
        map: null,
        key: this.task,
        stack_id: ++this.stackId,
        frames,
        value: Number(count[1]),
        unit: this.unit,
        bookkeeping: false,
        line: this.lines[0].no,
        kernel_frames: this.kernel
      });
      this.reset();
      return;
    }
    if (!this.lines.length && !FRAME.test(text)) {
      if (BCC_TOOL_LINE.test(text.trim())) {
        this.unit ??= unitOfBanner(text.trim());
        return recordMessage(this.sink, this.counts, this.ref, no, "tool", text);
      }
      return recordProblem(this.sink, this.counts, this.ref, no, text, "not a bcc stack: expected indented frames ending in an indented count");
    }
    if (!FRAME.test(text)) {
      this.unfinished("stack interrupted before its count line");
      return this.step(line);
    }
    this.lines.push(line);
    if (SEPARATOR.test(text)) {
      this.kernel = this.frames.length;
      return;
    }
    const task = TASK.exec(text);
    if (task && text.trim().startsWith("- ")) this.task = task[2] ? `${task[1]} (${task[2]})` : task[1];
    else this.frames.push(text.trim());
  }

  end(): ParseResult {
    if (this.lines.length) this.unfinished("input ended before the stack's count line");
    return {counts: this.counts, recognized: this.stackId > 0};
  }

  private unfinished(reason: string): void {
    for (const l of this.lines) recordProblem(this.sink, this.counts, this.ref, l.no, l.text, reason);
    this.reset();
  }

  private reset(): void {
    this.frames = [];
    this.lines = [];
    this.task = null;
    this.kernel = null;
  }
}

/** Indented frames closed by an indented number, as bcc prints stacks. */
export function sniff(lines: string[]): boolean {
  for (let i = 1; i < lines.length; i++) {
    if (COUNT.test(lines[i]) && FRAME.test(lines[i - 1]) && !COUNT.test(lines[i - 1]) && !lines[i - 1].trim().startsWith("@")) return true;
  }
  return false;
}

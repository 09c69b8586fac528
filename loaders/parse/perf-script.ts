// `perf script` text → folded stacks, as stackcollapse-perf does, in TypeScript:
//   comm  pid/tid [cpu] time: period event:      a sample header
//   \t ffffffff81a0b3d2 native_safe_halt+0x2 ([kernel.kallsyms])   frames, leaf first
// Offsets (+0x…) are stripped so samples at different addresses of one function fold
// together; [unknown] is kept; a symbol may contain spaces, <, >, {, }. Samples with the
// same thread name and stack are summed; each unique stack becomes one `stacks` row, and
// every sample one `samples` row (its time, CPU, thread) pointing at it.

import type {Line} from "../lines.js";
import {type LineCounts, type RowSink, emptyCounts} from "../model.js";
import {type FileRef, type ParseResult, type Sniff, clip, firstMeaningful} from "./common.js";

/** `comm pid/tid [cpu] time:` or `comm tid time:` (perf prints `pid/tid` only when asked). */
/** A kernel frame's dso, as perf script prints it. */
const KERNEL_DSO = /\(\[kernel\.[^\]]*\]\)$/;

export const PERF_HEADER = /^(\S.*?)\s+(\d+)(?:\/(\d+))?\s+(?:\[(\d+)\]\s+)?(\d+\.\d+):/;

/** A sample header followed by a frame line. */
export const sniff: Sniff = (lines) => {
  const first = firstMeaningful(lines);
  return first !== null && PERF_HEADER.test(first.line) && /^\s+[0-9a-f]+ /.test(lines[first.at + 1] ?? "");
};

const isSpace = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(text[i]));
};
const isLowerHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
const isHex = (c: number) => isLowerHex(c) || (c >= 65 && c <= 70);

/**
 * The function of a frame line `<ws>address<ws>symbol[+0xoffset][<ws>(dso)]`, or null if
 * it is not one. The offset is dropped so samples at different addresses of one function
 * fold together. Hand-written on character codes, one slice per frame: this runs once per
 * frame, millions of times. The dso may hold one level of parentheses, as in
 * `(/usr/lib/x (deleted))`.
 */
export function frameFunction(text: string): string | null {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text, i)) i++;
  const address = i;
  while (i < n && isLowerHex(text.charCodeAt(i))) i++;
  if (address === 0 || i === address) return null;
  const gap = i;
  while (i < n && isSpace(text, i)) i++;
  if (i === gap) return null;
  const end = dsoStart(text, i);
  return text.slice(i, offsetStart(text, i, end));
}

/** Where `+0x<hex>` begins at the end of text[from, end), or end. */
function offsetStart(text: string, from: number, end: number): number {
  const plus = text.lastIndexOf("+0x", end - 3);
  if (plus < from || plus + 3 === end) return end;
  for (let k = plus + 3; k < end; k++) if (!isHex(text.charCodeAt(k))) return end;
  return plus;
}

/** Where ` (dso)` begins at the end of text[from…] (its whitespace included), or text.length. */
function dsoStart(text: string, from: number): number {
  const n = text.length;
  if (text.charCodeAt(n - 1) !== 41) return n; // ")"
  let depth = 0;
  for (let k = n - 1; k >= from; k--) {
    const c = text.charCodeAt(k);
    if (c === 41) depth++;
    else if (c === 40) depth--;
    if (depth > 2) return n;
    if (depth === 0) {
      let start = k;
      while (start > from && isSpace(text, start - 1)) start--;
      return start < k ? start : n;
    }
  }
  return n;
}

interface Sample {
  comm: string;
  frames: string[];
  /** Frames from the kernel (perf prints them leaf first, so they lead `frames`). */
  kernel: number;
  line: number;
  pid: number | null;
  tid: number;
  cpu: number | null;
  time: number;
}

/** One distinct thread name and stack, with its samples and the header line of the first. */
interface FoldedStack {
  comm: string;
  frames: string[];
  kernel: number;
  line: number;
  id: number;
  count: number;
}

export class PerfScriptParser {
  private counts: LineCounts = emptyCounts();
  private current: Sample | null = null;
  private folded = new Map<string, FoldedStack>();
  private firstTime: number | null = null;

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {}

  push({no, text, cut}: Line): void {
    this.counts.lines++;
    if (!/\S/.test(text)) {
      this.counts.blank_lines++;
      this.finishSample();
      return;
    }
    if (cut) return this.problem(no, text, "line too long; not parsed");
    const header = isSpace(text, 0) ? null : PERF_HEADER.exec(text);
    if (header) {
      this.finishSample();
      this.counts.data_lines++;
      const [, comm, first, second, cpu, time] = header;
      this.current = {
        comm: comm.trim(),
        frames: [],
        kernel: 0,
        line: no,
        pid: second === undefined ? null : Number(first),
        tid: Number(second ?? first),
        cpu: cpu === undefined ? null : Number(cpu),
        time: Number(time)
      };
      return;
    }
    const name = this.current ? frameFunction(text) : null;
    if (name !== null) {
      this.counts.data_lines++;
      this.current!.frames.push(name || "[unknown]");
      if (KERNEL_DSO.test(text)) this.current!.kernel++;
      return;
    }
    if (/^\s/.test(text)) return this.problem(no, text, this.current ? "unreadable stack frame" : "stack frame before any sample header");
    this.problem(no, text, "not perf script output: expected 'comm pid [cpu] time: event:' or a frame");
  }

  private finishSample(): void {
    const s = this.current;
    if (!s) return;
    this.current = null;
    const frames = s.frames.reverse();
    const key = `${s.comm}\u0000${frames.join(";")}`;
    let stack = this.folded.get(key);
    if (stack) stack.count++;
    else this.folded.set(key, (stack = {comm: s.comm, frames, kernel: s.kernel, count: 1, line: s.line, id: this.folded.size + 1}));
    this.firstTime ??= s.time;
    this.sink.emit("samples", {
      capture_id: this.ref.capture_id,
      file: this.ref.file,
      line: s.line,
      t_s: s.time - this.firstTime,
      time_s: s.time,
      cpu: s.cpu,
      comm: s.comm,
      pid: s.pid,
      tid: s.tid,
      stack_id: stack.id,
      weight: 1
    });
  }

  private problem(no: number, text: string, reason: string): void {
    this.counts.problem_lines++;
    this.sink.emit("problems", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, text: clip(text), reason});
  }

  end(): ParseResult {
    this.finishSample();
    for (const s of this.folded.values()) {
      this.sink.emit("stacks", {capture_id: this.ref.capture_id, file: this.ref.file, map: null, key: s.comm, stack_id: s.id, frames: s.frames, value: s.count, unit: "samples", bookkeeping: false, line: s.line, kernel_frames: s.kernel});
    }
    return {counts: this.counts, recognized: this.folded.size > 0 || this.counts.lines === 0};
  }
}

// `perf script` text → folded stacks, as stackcollapse-perf does, in TypeScript:
//   comm  pid/tid [cpu] time: period event:      a sample header
//   \t ffffffff81a0b3d2 native_safe_halt+0x2 ([kernel.kallsyms])   frames, leaf first
// Offsets (+0x…) are stripped so samples at different addresses of one function fold
// together; [unknown] is kept; a symbol may contain spaces, <, >, {, }. Samples with the
// same thread name and stack are summed; each unique stack becomes one `stacks` row.

import type {Line} from "../lines.js";
import {type LineCounts, type RowSink, emptyCounts} from "../model.js";
import type {FileRef, ParseResult} from "./bpftrace-text.js";

export const PERF_HEADER = /^(\S.*?)\s+(\d+)(?:\/(\d+))?\s+(?:\[\d+\]\s+)?\d+\.\d+:/;

const isSpace = (c: string) => c === " " || c === "\t" || (c > "\x7f" && /\s/.test(c)) || (c >= "\n" && c <= "\r");
const isHex = (c: string) => (c >= "0" && c <= "9") || (c >= "a" && c <= "f");

/**
 * The symbol of a frame line `<ws>address<ws>symbol[<ws>(dso)]`, or null if it is not one.
 * Hand-written rather than a regex: this runs once per frame, millions of times. The dso
 * may hold one level of parentheses, as in `(/usr/lib/x (deleted))`.
 */
export function frameSymbol(text: string): string | null {
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  const address = i;
  while (i < text.length && isHex(text[i])) i++;
  if (address === 0 || i === address) return null;
  const gap = i;
  while (i < text.length && isSpace(text[i])) i++;
  if (i === gap) return null;
  const rest = text.slice(i);
  return rest.slice(0, dsoStart(rest));
}

/** `symbol+0x1f` → `symbol`, so samples at different addresses of one function fold together. */
function withoutOffset(symbol: string): string {
  const plus = symbol.lastIndexOf("+0x");
  if (plus === -1 || plus + 3 === symbol.length) return symbol;
  for (let i = plus + 3; i < symbol.length; i++) if (!isHex(symbol[i].toLowerCase())) return symbol;
  return symbol.slice(0, plus);
}

/** Where ` (dso)` begins at the end of `rest` (its whitespace included), or rest.length. */
function dsoStart(rest: string): number {
  if (!rest.endsWith(")")) return rest.length;
  let depth = 0;
  for (let k = rest.length - 1; k >= 0; k--) {
    const c = rest[k];
    if (c === ")") depth++;
    else if (c === "(") depth--;
    if (depth > 2) return rest.length;
    if (depth === 0) {
      let start = k;
      while (start > 0 && isSpace(rest[start - 1])) start--;
      return start < k ? start : rest.length;
    }
  }
  return rest.length;
}

interface Sample {
  comm: string;
  frames: string[];
  line: number;
}

export class PerfScriptParser {
  private counts: LineCounts = emptyCounts();
  private current: Sample | null = null;
  private folded = new Map<string, {comm: string; frames: string[]; count: number; line: number}>();

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
    const header = isSpace(text[0]) ? null : PERF_HEADER.exec(text);
    if (header) {
      this.finishSample();
      this.counts.data_lines++;
      this.current = {comm: header[1].trim(), frames: [], line: no};
      return;
    }
    const symbol = this.current ? frameSymbol(text) : null;
    if (symbol !== null) {
      this.counts.data_lines++;
      this.current!.frames.push(withoutOffset(symbol) || "[unknown]");
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
    const id = `${s.comm}\u0000${frames.join(";")}`;
    const seen = this.folded.get(id);
    if (seen) seen.count++;
    else this.folded.set(id, {comm: s.comm, frames, count: 1, line: s.line});
  }

  private problem(no: number, text: string, reason: string): void {
    this.counts.problem_lines++;
    this.sink.emit("problems", {...this.ref, line: no, text: text.slice(0, 500), reason});
  }

  end(): ParseResult {
    this.finishSample();
    let id = 0;
    for (const s of this.folded.values()) {
      this.sink.emit("stacks", {...this.ref, map: null, key: s.comm, stack_id: ++id, frames: s.frames, value: s.count, unit: "samples", bookkeeping: false, line: s.line});
    }
    return {counts: this.counts, recognized: this.folded.size > 0 || this.counts.lines === 0};
  }
}

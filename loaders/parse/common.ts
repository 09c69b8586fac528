// What every format parser shares: the interface the converter drives, the file a row
// came from, the per-file result, and one way to record a problem line. Each parser
// lives in its own module and also exports `sniff(lines)`, telling its format by content.

import type {Line} from "../lines.js";
import type {LineCounts, RowSink} from "../model.js";

export interface FileRef {
  capture_id: string;
  file: string;
}

export interface ParseResult {
  counts: LineCounts;
  /** The file showed its format's signature (a banner, a map line, a header). */
  recognized: boolean;
}

/** Fed a file's lines in order, then asked for its accounting. */
export interface Parser {
  push(line: Line): void;
  end(): ParseResult;
}

/** The first lines of a file (up to 16 kB), for content sniffers. */
export type Sniff = (lines: string[]) => boolean;

/** The first line that is not blank or a tool's complaint (bpftrace's stderr mixed in), and its index. */
export function firstMeaningful(lines: string[]): {line: string; at: number} | null {
  const at = lines.findIndex((l) => l.trim() !== "" && !/^(ERROR|WARNING|stdin:)/.test(l));
  return at === -1 ? null : {line: lines[at], at};
}

/** Control characters (bar tab), DEL and U+FFFD from undecodable input, as a regex class body. */
export const CONTROL = "\\u0000-\\u0008\\u000b-\\u001f\\u007f\\ufffd";
/** Bytes no text tool writes. */
export const BINARY = new RegExp(`[${CONTROL}]`);
/** Problem text is cut to this many characters (code points, as SQL counts them). */
export const PROBLEM_TEXT_LENGTH = 500;

export const clip = (text: string) => (text.length <= PROBLEM_TEXT_LENGTH ? text : Array.from(text).slice(0, PROBLEM_TEXT_LENGTH).join(""));

/** Blank: nothing but spaces and tabs. */
export const isBlank = (text: string) => /^[ \t]*$/.test(text);

/** Records one problem line (text cut to PROBLEM_TEXT_LENGTH) and counts it. */
export function recordProblem(sink: RowSink, counts: LineCounts, ref: FileRef, no: number, text: string, reason: string): void {
  counts.problem_lines++;
  sink.emit("problems", {capture_id: ref.capture_id, file: ref.file, line: no, text: clip(text), reason});
}

/** Records one line the tool printed that is not data (`messages`) and counts it. */
export function recordMessage(sink: RowSink, counts: LineCounts, ref: FileRef, no: number, kind: string, text: string): void {
  counts.tool_lines++;
  sink.emit("messages", {capture_id: ref.capture_id, file: ref.file, line: no, kind, text});
}

// Read a file as numbered lines, streaming, so a 1 GB capture never sits in memory whole.
// Invalid UTF-8 becomes U+FFFD (the line still counts); a line longer than `maxLength`
// is cut and flagged so the parser records it as a problem instead of holding megabytes.

import {createReadStream} from "node:fs";

export interface Line {
  /** 1-based line number. */
  no: number;
  text: string;
  /** The line was longer than maxLength and `text` holds only its start. */
  cut: boolean;
  /** The file ended without a newline after this line. */
  last: boolean;
}

export const MAX_LINE_LENGTH = 1 << 20;

/** The file's lines, a chunk's worth at a time: one await per megabyte, not per line. */
export async function* readLineBatches(path: string, maxLength = MAX_LINE_LENGTH): AsyncGenerator<Line[]> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let pendingCut = false;
  let no = 0;
  const take = (text: string, cut: boolean, last: boolean): Line => {
    if (text.endsWith("\r")) text = text.slice(0, -1);
    return {no: ++no, text, cut, last};
  };
  for await (const chunk of createReadStream(path, {highWaterMark: 1 << 20})) {
    const text = decoder.decode(chunk as Buffer, {stream: true});
    const batch: Line[] = [];
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      const whole = pendingCut ? pending : pending + text.slice(start, end);
      const cut = pendingCut || whole.length > maxLength;
      batch.push(take(cut ? whole.slice(0, maxLength) : whole, cut, false));
      pending = "";
      pendingCut = false;
      start = end + 1;
    }
    if (!pendingCut) {
      pending += text.slice(start);
      if (pending.length > maxLength) {
        pending = pending.slice(0, maxLength);
        pendingCut = true;
      }
    }
    if (batch.length > 0) yield batch;
  }
  pending += pendingCut ? "" : decoder.decode();
  if (pending.length > 0) yield [take(pending.slice(0, maxLength), pendingCut || pending.length > maxLength, true)];
}

export async function* readLines(path: string, maxLength = MAX_LINE_LENGTH): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(path, maxLength)) yield* batch;
}

/** Lines of an in-memory string, for tests and small inputs. */
export function* stringLines(text: string): Generator<Line> {
  const parts = text.split("\n");
  const endsWithNewline = parts[parts.length - 1] === "";
  if (endsWithNewline) parts.pop();
  for (let i = 0; i < parts.length; i++) {
    yield {no: i + 1, text: parts[i].replace(/\r$/, ""), cut: false, last: !endsWithNewline && i === parts.length - 1};
  }
}

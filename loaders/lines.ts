// Read a file as numbered lines, streaming, so a 1 GB capture never sits in memory whole.
// Invalid UTF-8 becomes U+FFFD (the line still counts); a line longer than `maxLength`
// is cut and flagged so the parser records it as a problem instead of holding megabytes.

import {isAscii} from "node:buffer";
import {open} from "node:fs/promises";

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

/**
 * Splits chunks of a file into numbered lines, handing each to `onLine` as it is found.
 * Lines are handed over, not collected: a batch of line objects held across a chunk
 * outlives the young generation and costs several times the parsing.
 */
export class LineSplitter {
  private decoder = new TextDecoder("utf-8");
  private decoderHolds = false; // the decoder may hold the start of a character split across chunks
  private pending = "";
  private pendingCut = false;
  private no = 0;

  constructor(private readonly maxLength = MAX_LINE_LENGTH) {}

  push(chunk: Buffer, onLine: (line: Line) => void): void {
    // ASCII (most captures) decodes as Latin-1 about four times faster, to the same text.
    const ascii = !this.decoderHolds && isAscii(chunk);
    const text = ascii ? chunk.toString("latin1") : this.decoder.decode(chunk, {stream: true});
    this.decoderHolds = !ascii && chunk[chunk.length - 1] >= 0x80;
    const max = this.maxLength;
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      const whole = this.pendingCut ? this.pending : this.pending + text.slice(start, end);
      const cut = this.pendingCut || whole.length > max;
      onLine(this.take(cut ? whole.slice(0, max) : whole, cut, false));
      this.pending = "";
      this.pendingCut = false;
      start = end + 1;
    }
    if (!this.pendingCut) {
      this.pending += text.slice(start);
      if (this.pending.length > max) {
        this.pending = this.pending.slice(0, max);
        this.pendingCut = true;
      }
    }
  }

  /** The last line, if the file did not end with a newline. */
  end(onLine: (line: Line) => void): void {
    const pending = this.pending + (this.pendingCut ? "" : this.decoder.decode());
    if (pending.length > 0) onLine(this.take(pending.slice(0, this.maxLength), this.pendingCut || pending.length > this.maxLength, true));
  }

  private take(text: string, cut: boolean, last: boolean): Line {
    if (text.endsWith("\r")) text = text.slice(0, -1);
    return {no: ++this.no, text, cut, last};
  }
}

/**
 * The file in chunks read into one reused buffer, so each chunk is valid only until the
 * next: fresh buffers fault in every page (a megabyte buffer per chunk made reading lines
 * ~10% slower).
 */
export async function* readChunks(path: string, size: number): AsyncGenerator<Buffer> {
  const file = await open(path);
  try {
    const buffer = Buffer.allocUnsafe(size);
    for (let read; (read = (await file.read(buffer, 0, size, null)).bytesRead) > 0; ) yield buffer.subarray(0, read);
  } finally {
    await file.close();
  }
}

/** Chunks small enough that their text is an ordinary young-generation string. */
const LINE_CHUNK = 64 << 10;

/** Every line of the file, in order, to `onLine`; `onChunk` hears the bytes read so far (for progress). */
export async function forEachLine(path: string, onLine: (line: Line) => void, maxLength = MAX_LINE_LENGTH, onChunk?: (bytes: number) => void): Promise<void> {
  const splitter = new LineSplitter(maxLength);
  let bytes = 0;
  for await (const chunk of readChunks(path, LINE_CHUNK)) {
    splitter.push(chunk, onLine);
    bytes += chunk.length;
    onChunk?.(bytes);
  }
  splitter.end(onLine);
}

export async function* readLines(path: string, maxLength = MAX_LINE_LENGTH): AsyncGenerator<Line> {
  const splitter = new LineSplitter(maxLength);
  const batch: Line[] = [];
  const collect = (line: Line) => batch.push(line);
  for await (const chunk of readChunks(path, LINE_CHUNK)) {
    splitter.push(chunk, collect);
    yield* batch.splice(0);
  }
  splitter.end(collect);
  yield* batch;
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

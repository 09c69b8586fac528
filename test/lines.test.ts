// The line splitter decodes ASCII chunks as Latin-1 and the rest with a streaming UTF-8
// decoder; however a file is cut into chunks, it must give the lines of the whole text.
import assert from "node:assert/strict";
import {test} from "node:test";
import {type Line, LineSplitter} from "../loaders/lines.js";

const PIECES = [[0x61], [0x20], [0x0a], [0x0d], [0xc3, 0xbc], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xff], [0xc3], [0x80], [0xed, 0xa0, 0x80]];

function random(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

/** The lines of `bytes` cut at `cuts`, each chunk pushed from one reused buffer, as forEachLine reads a file. */
function split(bytes: Buffer, cuts: number[], maxLength: number): Line[] {
  const lines: Line[] = [];
  const splitter = new LineSplitter(maxLength);
  const reused = Buffer.alloc(bytes.length);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) {
      reused.fill(0xff);
      bytes.copy(reused, 0, from, cut);
      splitter.push(reused.subarray(0, cut - from), (l) => lines.push(l));
    }
    from = Math.max(from, cut);
  }
  splitter.end((l) => lines.push(l));
  return lines;
}

function expected(bytes: Buffer, maxLength: number): Line[] {
  const parts = new TextDecoder().decode(bytes).split("\n");
  const ended = parts.at(-1) === "";
  if (ended) parts.pop();
  return parts.map((text, i) => {
    const cut = text.length > maxLength;
    const kept = cut ? text.slice(0, maxLength) : text;
    return {no: i + 1, text: kept.endsWith("\r") ? kept.slice(0, -1) : kept, cut, last: !ended && i === parts.length - 1};
  });
}

test("lines are the same however the bytes are cut into chunks", () => {
  const rnd = random(7);
  for (let round = 0; round < 3000; round++) {
    const bytes = Buffer.from(Array.from({length: Math.floor(rnd() * 40)}, () => PIECES[Math.floor(rnd() * PIECES.length)]).flat());
    const cuts = Array.from({length: Math.floor(rnd() * 6)}, () => Math.floor(rnd() * (bytes.length + 1))).sort((a, b) => a - b);
    const maxLength = rnd() < 0.3 ? 3 : 1 << 20;
    assert.deepEqual(split(bytes, cuts, maxLength), expected(bytes, maxLength), `bytes ${bytes.toString("hex")} cut at ${cuts}`);
  }
});

test("a character split across chunks after an ASCII chunk decodes whole", () => {
  const lines = split(Buffer.from("ab\n\u00fc\u20ac\ncd"), [3, 4, 6], 1 << 20);
  assert.deepEqual(lines.map((l) => l.text), ["ab", "\u00fc\u20ac", "cd"]);
});

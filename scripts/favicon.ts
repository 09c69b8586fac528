// dist/favicon.ico: browsers ask for /favicon.ico when a page names no icon, and the
// pages name none (a `head` link costs Framework three jsdom windows a page; see
// observablehq.config.ts). A 16×16 icon of three stacked bars, a flame graph's shape.
import {writeFileSync} from "node:fs";
import {join} from "node:path";

const SIZE = 16;
/** Rows (top = 0) and the columns each bar covers: widest at the root, as a flame graph. */
const BARS = [
  {rows: [12, 16], cols: [0, 16]},
  {rows: [8, 12], cols: [0, 11]},
  {rows: [4, 8], cols: [2, 7]}
];
const AMBER = [0x06, 0x77, 0xd9, 0xff]; // #d97706 as BGRA

/** An .ico holding one 32-bit 16×16 bitmap (alpha carries the shape; the AND mask is empty). */
export function favicon(): Buffer {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  for (const {rows, cols} of BARS) {
    for (let y = rows[0]; y < rows[1]; y++) {
      for (let x = cols[0]; x < cols[1]; x++) pixels.set(AMBER, ((SIZE - 1 - y) * SIZE + x) * 4); // bitmaps run bottom-up
    }
  }
  const mask = Buffer.alloc(SIZE * 4); // 16 rows of 32 bits (rows pad to 4 bytes)
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(SIZE, 4);
  info.writeInt32LE(SIZE * 2, 8); // an icon's bitmap counts the mask's rows too
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  const image = Buffer.concat([info, pixels, mask]);
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(SIZE, 6);
  header.writeUInt8(SIZE, 7);
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, image]);
}

export function writeFavicon(dist: string): void {
  writeFileSync(join(dist, "favicon.ico"), favicon());
}

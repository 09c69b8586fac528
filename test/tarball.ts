// A minimal ustar writer for tests: it can write the hostile entries (../, absolute paths,
// links, devices) that well-behaved archivers refuse to create.
import {closeSync, openSync, writeSync} from "node:fs";
import {gzipSync} from "node:zlib";

export interface TarEntry {
  name: string;
  body?: string;
  /** "0" file, "2" symlink, "3" char device, "5" directory. */
  type?: string;
  link?: string;
}

export function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => h.write(text, offset, Math.min(length, Buffer.byteLength(text)), "utf8");
  put(e.name, 0, 100);
  put("0000644\0", 100, 8);
  put("0000000\0", 108, 8);
  put("0000000\0", 116, 8);
  put(size.toString(8).padStart(11, "0") + "\0", 124, 12);
  put("14000000000\0", 136, 12);
  put("        ", 148, 8);
  put(e.type ?? "0", 156, 1);
  put(e.link ?? "", 157, 100);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  const sum = h.reduce((s, b) => s + b, 0);
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}

export function tarGz(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? "");
    blocks.push(header(e, (e.type ?? "0") === "0" ? body.length : 0));
    if ((e.type ?? "0") === "0") blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/**
 * A gzip bomb: one tar entry declaring `declared` bytes of zeros, written as concatenated
 * gzip members (a header, then the same 16 MB of compressed zeros again and again), so a
 * file of a few MB inflates to gigabytes without the test spending gigabytes to make it.
 */
export function writeGzipBomb(path: string, name: string, declared: number): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, gzipSync(header({name}, declared)));
    const block = 16 * 1024 * 1024;
    const zeros = gzipSync(Buffer.alloc(block), {level: 9});
    for (let left = declared; left > 0; left -= block) writeSync(fd, left >= block ? zeros : gzipSync(Buffer.alloc(left)));
    writeSync(fd, gzipSync(Buffer.alloc(1024)));
  } finally {
    closeSync(fd);
  }
}

// Hashing files a few megabytes at a time: captures can be gigabytes.
import {type Hash, createHash} from "node:crypto";
import {closeSync, openSync, readSync} from "node:fs";

export function hashFile(hash: Hash, path: string): Hash {
  const fd = openSync(path, "r");
  const buffer = Buffer.alloc(1 << 22);
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash;
}

export const sha256 = (path: string): string => hashFile(createHash("sha256"), path).digest("hex");

// Hashing files a few megabytes at a time: captures can be gigabytes.
import {type Hash, createHash} from "node:crypto";
import {closeSync, openSync, readFileSync, readSync, readdirSync, statSync} from "node:fs";
import {join} from "node:path";

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

/** A short hash of the given files and of the source files under the given folders (recursively) whose names match `pattern`: a code version. */
export function sourcesHash(dirs: string[], pattern = /\.ts$/): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (pattern.test(name)) hash.update(path).update(readFileSync(path));
    }
  };
  for (const path of dirs) {
    if (statSync(path).isDirectory()) walk(path);
    else hash.update(path).update(readFileSync(path));
  }
  return hash.digest("hex").slice(0, 16);
}

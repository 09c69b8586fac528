// A file written beside itself and renamed into place, so a reader (Framework, another
// build's worker) finds the old bytes or the new ones, never a file half written.
import {renameSync, writeFileSync} from "node:fs";

export function writeFileAtomic(path: string, data: string | Buffer): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

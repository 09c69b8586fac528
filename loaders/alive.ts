// Whether a process is still running: folders named after the process that made them
// (the Parquet writer's temporary tables, loaders/parquet.ts) are swept once it is gone.
import {existsSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the entries of `dir` whose name `owner` reads a process id from, when that process is gone. */
export function sweepDead(dir: string, owner: (name: string) => number | null): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const pid = owner(name);
    if (pid !== null && !alive(pid)) rmSync(join(dir, name), {recursive: true, force: true});
  }
}

// Convert throughput and memory per format and size, against two line-tool baselines:
// one awk pass summing the last field (the floor for reading the file at all) and the
// classic `perf script | awk collapse | sort | uniq -c | sort -rn` pipeline.

import {spawnSync} from "node:child_process";
import {mkdirSync, rmSync} from "node:fs";
import {join} from "node:path";
import {bpftraceText, folded, perfScript} from "./generate.js";

export interface ConvertRow {
  format: string;
  mb: number;
  seconds: number;
  mbPerSecond: number;
  rssMB: number;
  lines: number;
  awkSeconds: number;
  pipelineSeconds: number | null;
  /** Why the conversion failed (the benchmark goes on with the next input). */
  failed?: string;
}

const FORMATS = {
  folded: {file: "05-oncpu.folded", generate: folded},
  "perf script": {file: "05-oncpu.perf-script.txt", generate: perfScript},
  "bpftrace text": {file: "03-offcpu.txt", generate: bpftraceText}
};

/** stackcollapse-perf in awk: join each sample's frames root first, offsets stripped. */
const AWK_COLLAPSE = `
/^[^ \\t]/ { comm = $1; stack = ""; next }
/^[ \\t]*$/ { if (comm != "") print comm ";" stack; comm = ""; next }
{ fn = $2; sub(/\\+0x[0-9a-f]+$/, "", fn); stack = (stack == "" ? fn : fn ";" stack) }`;

function seconds(run: () => void): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}

function sh(script: string, args: string[] = []): void {
  const result = spawnSync("sh", ["-c", script, "sh", ...args], {stdio: ["ignore", "ignore", "inherit"], env: {...process.env, LC_ALL: "C"}});
  if (result.status !== 0) throw new Error(`baseline failed: ${script}`);
}

export async function benchConvert(work: string, sizesMB: number[], log: (s: string) => void): Promise<ConvertRow[]> {
  const rows: ConvertRow[] = [];
  for (const [format, {file, generate}] of Object.entries(FORMATS)) {
    for (const mb of sizesMB) {
      const bundle = join(work, `${format.replace(" ", "-")}-${mb}`);
      rmSync(bundle, {recursive: true, force: true});
      mkdirSync(bundle, {recursive: true});
      const path = join(bundle, file);
      log(`generating ${mb} MB of ${format}…`);
      const bytes = await generate(path, mb * 1e6);
      // Flush the generated file to disk (its writeback would compete with whoever runs next)
      // and warm the page cache so every contender reads from memory.
      sh(`sync && cat "$1" > /dev/null`, [path]);
      const awkSeconds = seconds(() => sh(`awk '{n+=$NF} END{print n}' "$1" > /dev/null`, [path]));
      const pipelineSeconds =
        format === "perf script" ? seconds(() => sh(`cat "$1" | awk '${AWK_COLLAPSE}' | sort | uniq -c | sort -rn > /dev/null`, [path])) : null;
      log(`converting ${mb} MB of ${format}…`);
      const out = join(work, "out");
      const child = spawnSync(process.execPath, ["--import", "tsx", "bench/convert-child.ts", bundle, out], {encoding: "utf8", maxBuffer: 1 << 20});
      rmSync(out, {recursive: true, force: true});
      rmSync(bundle, {recursive: true, force: true});
      if (child.status !== 0) {
        const failed = /Error[^\n]*/.exec(child.stderr)?.[0] ?? `exit ${child.status ?? child.signal}`;
        log(`converting ${mb} MB of ${format} failed: ${failed}`);
        rows.push({format, mb, seconds: NaN, mbPerSecond: NaN, rssMB: NaN, lines: 0, awkSeconds, pipelineSeconds, failed});
        continue;
      }
      const {ms, rssMB, lines} = JSON.parse(child.stdout.trim().split("\n").pop()!);
      const secondsTaken = ms / 1000;
      rows.push({format, mb, seconds: secondsTaken, mbPerSecond: bytes / 1e6 / secondsTaken, rssMB, lines, awkSeconds, pipelineSeconds});
    }
  }
  return rows;
}

// Starts the demo validator under its own executable name, so that every thread of it
// (not only the main one) carries the comm `demo-validator` in traces: Linux names a
// process after the file it executes, so we execute node through a link of that name.
import {type ChildProcess, spawn} from "node:child_process";
import {existsSync, mkdirSync, symlinkSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

export const DEMO_COMM = "demo-validator";

export function demoExecutable(): string {
  const dir = join(tmpdir(), "bpfbook-demo");
  const link = join(dir, DEMO_COMM);
  mkdirSync(dir, {recursive: true});
  if (!existsSync(link)) symlinkSync(process.execPath, link);
  return link;
}

export function startDemo(args: string[], stdio: "ignore" | "inherit" = "ignore"): ChildProcess {
  const script = join(dirname(fileURLToPath(import.meta.url)), "validator.ts");
  return spawn(demoExecutable(), ["--import", "tsx", "--perf-basic-prof", script, ...args], {stdio});
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const child = startDemo(process.argv.slice(2), "inherit");
  console.error(`bpfbook demo: ${DEMO_COMM} running as pid ${child.pid}`);
  child.on("exit", (code) => process.exit(code ?? 0));
}

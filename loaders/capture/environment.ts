// What a capture needs from the machine (root, bpftrace, tracefs), checked up front with the
// command that fixes each gap; and the facts written to the bundle's context file.

import {execFileSync} from "node:child_process";
import {existsSync, readFileSync} from "node:fs";

export const TRACEFS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/** The mounted tracefs, or null. */
export function tracefs(): string | null {
  return TRACEFS.find((dir) => existsSync(`${dir}/events`)) ?? null;
}

export function run(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, {encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000}).trim();
  } catch {
    return null;
  }
}

export interface BpftraceVersion {
  text: string;
  major: number;
  minor: number;
}

export function bpftraceVersion(): BpftraceVersion | null {
  const text = run("bpftrace", ["--version"]);
  const m = text && /v?(\d+)\.(\d+)/.exec(text);
  return m ? {text: text!, major: Number(m[1]), minor: Number(m[2])} : null;
}

/** Everything missing for a capture, each with the command that fixes it. */
export function preflight(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root: bpftrace loads eBPF programs; run as root (e.g. sudo npm run capture -- ...)");
  if (!bpftraceVersion()) missing.push("bpftrace: not installed; install it with `apt-get install bpftrace`");
  if (!tracefs()) missing.push("tracefs: not mounted; mount it with `mount -t tracefs nodev /sys/kernel/tracing`");
  return missing;
}

/** Whether the kernel offers a tracepoint (category:name), read from tracefs. */
export function hasTracepoint(category: string, name: string): boolean {
  const dir = tracefs();
  return dir !== null && existsSync(`${dir}/events/${category}/${name}`);
}

export function perfWorks(): boolean {
  return run("perf", ["--version"]) !== null && run("perf", ["stat", "-e", "cpu-clock", "--", "true"]) !== null;
}

export function osPrettyName(): string | null {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? null;
  } catch {
    return null;
  }
}

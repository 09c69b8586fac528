// Record a capture bundle from a live process: the context file, one bpftrace program per
// question (run at once, since they do not disturb each other), and an on-CPU profile,
// then a manifest. Each capture keeps its stderr; one that fails or is unavailable does
// not lose the others; Ctrl-C stops them all and keeps what they printed.

import {type ChildProcess, spawn} from "node:child_process";
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {capturesDir, isBundleId, type Kind} from "../bundle.js";
import {sha256} from "../hash.js";
import {type BpftraceVersion, bpftraceVersion, hasTracepoint, osPrettyName, perfWorks, preflight, run} from "./environment.js";
import {ArgumentError, type Target, type TargetSpec, resolveTarget} from "./target.js";

const PROGRAMS = join(dirname(fileURLToPath(import.meta.url)), "programs");

interface Plan {
  name: string;
  file: string;
  kind: Kind;
  /** bpftrace program name, or "perf" for the perf-based profile. */
  program: string;
  /** The evidence source its output is (loaders/evidence/sources.ts), named in the manifest so a file that printed nothing still counts as evidence. */
  source: string;
  tracepoints: [string, string][];
}

/** On-CPU sampling rate (perf record -F and oncpu.bt's profile:hz:99): 99 Hz, off the beat of 100 Hz timers. */
const SAMPLE_HZ = 99;

const PLANS: Plan[] = [
  {name: "fsync", file: "01-fsync-latency.txt", kind: "fsync", program: "fsync", source: "bpfbook fsync.bt", tracepoints: [["syscalls", "sys_enter_fsync"], ["syscalls", "sys_enter_fdatasync"]]},
  {name: "bio", file: "02-bio-latency.txt", kind: "bio", program: "bio", source: "bpfbook bio.bt", tracepoints: [["block", "block_rq_issue"], ["block", "block_rq_complete"]]},
  {name: "offcpu", file: "03-offcpu.txt", kind: "offcpu", program: "offcpu", source: "bpfbook offcpu.bt", tracepoints: [["sched", "sched_switch"]]},
  {name: "syscalls", file: "04-writepath-syscalls.txt", kind: "syscalls", program: "syscalls", source: "bpfbook syscalls.bt", tracepoints: [["syscalls", "sys_enter_write"], ["syscalls", "sys_enter_pwrite64"], ["syscalls", "sys_enter_writev"]]},
  // perf script text, not folded stacks: every sample keeps its time (the samples table).
  {name: "oncpu", file: "05-oncpu.perf-script.txt", kind: "oncpu", program: "perf", source: "perf script", tracepoints: []}
];

export interface CaptureOptions {
  target: TargetSpec;
  duration: string | number;
  out?: string;
  log?: (line: string) => void;
}

export interface CaptureFile {
  file: string;
  kind: Kind;
  window_s: number | null;
  exit_status: number | null;
  status: "ok" | "failed" | "skipped" | "interrupted";
  reason?: string;
  stderr_file: string | null;
  tool: string;
  source: string;
  /** Probes bpftrace said it attached (its `Attaching N probes...` banner); null for perf or when it never said. */
  probes?: number | null;
  /** Samples per second of an on-CPU profile, so samples convert to CPU time. */
  sample_hz?: number;
  program?: string;
  sha256?: string;
  bytes?: number;
}

export class CaptureError extends Error {}

/** bpftrace before 0.20 needs `args->field`; 0.20 and later take `args.field`. */
export function adaptProgram(source: string, version: BpftraceVersion): string {
  const dotted = version.major > 0 || version.minor >= 20;
  return dotted ? source : source.replace(/\bargs\.(\w+)/g, "args->$1");
}

export function programText(name: string, version: BpftraceVersion, values: {PID: number; DURATION: number}): string {
  const source = readFileSync(join(PROGRAMS, `${name}.bt`), "utf8");
  return adaptProgram(source, version).replace(/\{\{(PID|DURATION)\}\}/g, (_, key: "PID" | "DURATION") => String(values[key]));
}

export function validateDuration(duration: string | number): number {
  const text = String(duration);
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 3600) {
    throw new ArgumentError(`--duration ${JSON.stringify(text)}: expected whole seconds from 1 to 3600`);
  }
  return Number(text);
}

export async function capture(options: CaptureOptions): Promise<{dir: string; files: CaptureFile[]}> {
  const log = options.log ?? ((line: string) => console.error(line));
  // Everything about the arguments is checked before anything starts.
  const duration = validateDuration(options.duration);
  const target = resolveTarget(options.target);
  const missing = preflight();
  if (missing.length) throw new CaptureError(`cannot capture here:\n  - ${missing.join("\n  - ")}`);
  const version = bpftraceVersion()!;
  const started = new Date();
  const id = `${target.name.replace(/[^A-Za-z0-9._-]+/g, "_")}-${started.toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}`;
  const dir = resolve(options.out ?? join(capturesDir(), id));
  if (!isBundleId(dir.split("/").pop()!)) throw new ArgumentError(`--out ${dir}: the folder name must be letters, digits, '.', '_' or '-'`);
  if (existsSync(dir)) throw new ArgumentError(`--out ${dir}: already exists`);
  mkdirSync(dir, {recursive: true});

  writeContext(dir, target, version);
  const files: CaptureFile[] = [];
  const running: {plan: Plan; child: ChildProcess; done: Promise<{code: number | null; ended: number}>; began: number; record: CaptureFile; perfData?: string}[] = [];
  for (const plan of PLANS) {
    const record: CaptureFile = {file: plan.file, kind: plan.kind, window_s: null, exit_status: null, status: "ok", stderr_file: null, tool: plan.program === "perf" ? "perf" : "bpftrace", source: plan.source};
    if (plan.kind === "oncpu") record.sample_hz = SAMPLE_HZ;
    files.push(record);
    const absent = plan.tracepoints.filter(([c, n]) => !hasTracepoint(c, n));
    if (absent.length && absent.length === plan.tracepoints.length) {
      record.status = "skipped";
      record.reason = `tracepoints unavailable on this kernel: ${absent.map((t) => t.join(":")).join(", ")}`;
      log(`- ${plan.name}: skipped, ${record.reason}`);
      continue;
    }
    const stderrFile = plan.file.replace(/\.[a-z]+$/, "") + ".stderr";
    record.stderr_file = stderrFile;
    const stderr = openSync(join(dir, stderrFile), "w");
    let child: ChildProcess;
    let perfData: string | undefined;
    if (plan.program === "perf" && perfWorks()) {
      perfData = join(tmpdir(), `bpfbook-perf-${process.pid}-${Date.now()}.data`);
      child = spawn("perf", ["record", "-g", "-F", String(SAMPLE_HZ), "-p", String(target.pid), "-o", perfData, "--", "sleep", String(duration)], {stdio: ["ignore", "ignore", stderr], detached: true});
    } else {
      const name = plan.program === "perf" ? "oncpu" : plan.program;
      if (plan.program === "perf") {
        record.file = "05-oncpu.txt";
        record.tool = "bpftrace";
        record.source = "bpftrace profile";
      }
      record.program = programText(name, version, {PID: target.pid, DURATION: duration});
      const programFile = join(tmpdir(), `bpfbook-${name}-${process.pid}.bt`);
      writeFileSync(programFile, record.program);
      child = spawn("bpftrace", ["-o", join(dir, record.file), programFile], {stdio: ["ignore", "ignore", stderr], detached: true});
    }
    closeSync(stderr);
    // The window ends when the capture process exits, whatever we await first.
    const done = new Promise<{code: number | null; ended: number}>((r) =>
      child.on("exit", (code, signal) => r({code: code ?? (signal ? 128 : null), ended: Date.now()})).on("error", () => r({code: 127, ended: Date.now()}))
    );
    running.push({plan, child, done, began: Date.now(), record, perfData});
    log(`> ${plan.name}: ${record.tool} for ${duration} s -> ${record.file}`);
  }

  let interrupted = false;
  const stopAll = () => {
    if (interrupted) return;
    interrupted = true;
    log("! interrupted: stopping every capture, keeping what each recorded");
    for (const r of running) if (r.child.pid) process.kill(-r.child.pid, "SIGINT");
  };
  process.on("SIGINT", stopAll);
  process.on("SIGTERM", stopAll);
  const ticker = setInterval(() => {
    const left = Math.max(0, duration - Math.round((Date.now() - started.getTime()) / 1000));
    const names = running.filter((r) => r.child.exitCode === null).map((r) => r.plan.name);
    if (names.length) log(`  ${left} s left: ${names.join(", ")} running`);
  }, 5000);
  // A capture that hangs past its window (a stuck probe) is stopped like Ctrl-C would.
  const deadline = setTimeout(() => running.forEach((r) => r.child.exitCode === null && r.child.pid && process.kill(-r.child.pid, "SIGINT")), (duration + 30) * 1000);
  try {
    for (const r of running) {
      const {code, ended} = await r.done;
      r.record.exit_status = code;
      r.record.window_s = Math.min(Math.round((ended - r.began) / 100) / 10, duration);
      if (r.perfData) await perfScript(r.perfData, join(dir, r.record.file), join(dir, r.record.stderr_file!));
      r.record.status = interrupted ? "interrupted" : code === 0 ? "ok" : "failed";
      r.record.probes = attachedProbes(join(dir, r.record.file));
      if (code !== 0 && !interrupted) r.record.reason = `exit ${code}; see ${r.record.stderr_file}`;
      log(`${r.record.status === "ok" ? "ok" : r.record.status}: ${r.plan.name} -> ${r.record.file}${r.record.reason ? ` (${r.record.reason})` : ""}`);
    }
  } finally {
    clearInterval(ticker);
    clearTimeout(deadline);
    process.off("SIGINT", stopAll);
    process.off("SIGTERM", stopAll);
  }
  writeManifest(dir, target, version, started, duration, files);
  return {dir, files};
}

/** The N of bpftrace's `Attaching N probes...` at the top of its output, if it printed one. */
function attachedProbes(path: string): number | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(4096);
    const head = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString("utf8");
    const m = /^Attaching (\d+) probes?\.\.\.$/m.exec(head);
    return m ? Number(m[1]) : null;
  } finally {
    closeSync(fd);
  }
}

/** The recording as `perf script` text: every sample with its time, CPU, thread and stack. */
async function perfScript(perfData: string, out: string, stderrFile: string): Promise<void> {
  const fd = openSync(out, "w");
  const err = openSync(stderrFile, "a");
  await new Promise<void>((r) => spawn("perf", ["script", "-i", perfData], {stdio: ["ignore", fd, err]}).on("exit", () => r()).on("error", () => r()));
  closeSync(fd);
  closeSync(err);
  rmSync(perfData, {force: true});
}

function writeContext(dir: string, target: Target, version: BpftraceVersion): void {
  const counts = new Map<string, number>();
  for (const t of target.threads) counts.set(t, (counts.get(t) ?? 0) + 1);
  const lines = [
    "# bpfbook capture context",
    "",
    "## host",
    run("uname", ["-a"]) ?? "uname unavailable",
    `PRETTY_NAME="${osPrettyName() ?? "unknown"}"`,
    "",
    "## disk",
    run("lsblk", ["-d", "-o", "NAME,SIZE,ROTA,TYPE"]) ?? "lsblk unavailable",
    "",
    "## target",
    `target=${target.name}`,
    `kind=${target.kind}`,
    ...(target.image ? [`image=${target.image}`] : []),
    "",
    `## threads (pid=${target.pid})`,
    ...[...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${String(n).padStart(7)} ${name}`),
    "",
    "## tools",
    version.text,
    run("perf", ["--version"]) ?? "perf unavailable",
    ""
  ];
  writeFileSync(join(dir, "00-context.txt"), lines.join("\n"));
}

function writeManifest(dir: string, target: Target, version: BpftraceVersion, started: Date, duration: number, files: CaptureFile[]): void {
  for (const f of files) {
    const path = join(dir, f.file);
    if (existsSync(path)) Object.assign(f, {sha256: sha256(path), bytes: statSync(path).size});
  }
  const extra = ["00-context.txt", ...files.map((f) => f.stderr_file).filter((f): f is string => f !== null)].map((file) => ({
    file,
    kind: file === "00-context.txt" ? "context" : "document",
    window_s: null,
    sha256: sha256(join(dir, file)),
    bytes: statSync(join(dir, file)).size
  }));
  const manifest = {
    id: dir.split("/").pop(),
    source: "capture",
    target: target.name,
    target_kind: target.kind,
    image: target.image,
    pid: target.pid,
    threads: target.threads,
    host: run("uname", ["-n"]),
    kernel: run("uname", ["-r"]),
    tools: {bpftrace: version.text, perf: run("perf", ["--version"])},
    started_at: started.toISOString(),
    duration_s: duration,
    files: [...extra, ...files.filter((f) => f.status !== "skipped")],
    skipped: files.filter((f) => f.status === "skipped").map((f) => ({file: f.file, reason: f.reason}))
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
}

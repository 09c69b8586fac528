// Who to trace: a pid, a process name (comm) or a container, validated before anything
// runs. Arguments are data: they are checked against strict patterns and only ever
// passed as argv entries, never pasted into a shell string.

import {execFileSync} from "node:child_process";
import {existsSync, readFileSync, readdirSync} from "node:fs";

export interface TargetSpec {
  pid?: string;
  comm?: string;
  container?: string;
}

export interface Target {
  pid: number;
  name: string;
  kind: "process" | "container";
  image: string | null;
  threads: string[];
}

export class ArgumentError extends Error {}

const COMM = /^[A-Za-z0-9._:+@-][A-Za-z0-9._:+@ -]{0,14}$/;
const CONTAINER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function resolveTarget(spec: TargetSpec, procRoot = "/proc"): Target {
  const given = [spec.pid, spec.comm, spec.container].filter((v) => v !== undefined);
  if (given.length !== 1) throw new ArgumentError("give exactly one of --pid N, --comm NAME, --container NAME");
  if (spec.pid !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(spec.pid)) throw new ArgumentError(`--pid ${JSON.stringify(spec.pid)}: expected a positive process id`);
    const pid = Number(spec.pid);
    if (!existsSync(`${procRoot}/${pid}/comm`)) throw new ArgumentError(`--pid ${pid}: no such process`);
    return {pid, name: comm(procRoot, pid), kind: "process", image: null, threads: threadNames(procRoot, pid)};
  }
  if (spec.comm !== undefined) {
    if (!COMM.test(spec.comm)) {
      throw new ArgumentError(`--comm ${JSON.stringify(spec.comm)}: a process name is 1-15 letters, digits, spaces or . _ : + @ -`);
    }
    const pids = readdirSync(procRoot)
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((pid) => safeRead(`${procRoot}/${pid}/comm`) === spec.comm)
      .sort((a, b) => a - b);
    if (pids.length === 0) throw new ArgumentError(`--comm ${spec.comm}: no process has that name`);
    const pid = pids[0];
    return {pid, name: spec.comm, kind: "process", image: null, threads: threadNames(procRoot, pid)};
  }
  const name = spec.container!;
  if (!CONTAINER.test(name)) throw new ArgumentError(`--container ${JSON.stringify(name)}: a container name is letters, digits, _ . -`);
  let inspected: string;
  try {
    inspected = execFileSync("docker", ["inspect", "--format", "{{.State.Pid}} {{.Config.Image}}", name], {encoding: "utf8", stdio: ["ignore", "pipe", "pipe"]});
  } catch (error) {
    throw new ArgumentError(`--container ${name}: docker inspect failed (${(error as Error).message.split("\n")[0]}); is the Docker engine running?`);
  }
  const [pidText, image] = inspected.trim().split(" ");
  const pid = Number(pidText);
  if (!(pid > 0)) throw new ArgumentError(`--container ${name}: not running`);
  return {pid, name, kind: "container", image: image ?? null, threads: threadNames(procRoot, pid)};
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, "utf8").replace(/\n$/, "");
  } catch {
    return null;
  }
}

function comm(procRoot: string, pid: number): string {
  return safeRead(`${procRoot}/${pid}/comm`) ?? String(pid);
}

/** Thread names of a process, one per thread (the context file counts them). */
export function threadNames(procRoot: string, pid: number): string[] {
  try {
    return readdirSync(`${procRoot}/${pid}/task`)
      .map((tid) => safeRead(`${procRoot}/${pid}/task/${tid}/comm`))
      .filter((n): n is string => n !== null);
  } catch {
    return [];
  }
}

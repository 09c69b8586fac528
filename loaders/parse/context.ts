// The context file (00-context.txt): `## heading` sections written by a shell script:
// uname -a, os-release, lsblk, docker inspect, the target's pid and thread names, tool
// versions. Headings differ between bundles (`## qfc-node-1 PID/threads`,
// `## threads (pid=N)`), so each fact is looked for by shape, and what is absent is listed.

import type {Line} from "../lines.js";
import {type LineCounts, type RowSink, emptyCounts} from "../model.js";
import type {FileRef, ParseResult} from "./common.js";

export interface ContextFacts {
  host: string | null;
  kernel: string | null;
  arch: string | null;
  os: string | null;
  target: string | null;
  target_kind: "container" | "process" | null;
  image: string | null;
  pid: number | null;
  target_threads: string[];
  tools: string[];
  /** Facts the file did not state. */
  missing: string[];
}

const UNAME = /^Linux (\S+) (\S+) .* (\S+) GNU\/Linux$/;
const PRETTY_NAME = /^PRETTY_NAME="?([^"]*)"?$/;
const THREAD = /^\s*(\d+)\s+(\S.*)$/;

export class ContextParser {
  private counts: LineCounts = emptyCounts();
  private section: string | null = null;
  readonly facts: ContextFacts = {
    host: null,
    kernel: null,
    arch: null,
    os: null,
    target: null,
    target_kind: null,
    image: null,
    pid: null,
    target_threads: [],
    tools: [],
    missing: []
  };

  constructor(
    private readonly ref: FileRef,
    private readonly sink: RowSink
  ) {}

  push({no, text}: Line): void {
    this.counts.lines++;
    if (text.trim() === "") {
      this.counts.blank_lines++;
      return;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(text);
    if (heading) {
      this.counts.tool_lines++;
      this.section = heading[1].trim();
      this.sink.emit("messages", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, kind: "heading", text});
      const image = /^(\S+) image$/.exec(this.section);
      if (image) this.setTarget(image[1], "container");
      const named = /^(\S+) PID\/threads$/i.exec(this.section);
      if (named) this.setTarget(named[1], null);
      const pid = /^threads \(pid=(\d+)\)$/i.exec(this.section);
      if (pid) this.facts.pid = Number(pid[1]);
      return;
    }
    this.counts.data_lines++;
    this.sink.emit("context", {capture_id: this.ref.capture_id, file: this.ref.file, line: no, section: this.section, text});
    this.fact(text.trim());
  }

  private setTarget(name: string, kind: "container" | "process" | null): void {
    this.facts.target ??= name;
    this.facts.target_kind ??= kind;
  }

  private fact(text: string): void {
    const section = (this.section ?? "").toLowerCase();
    const f = this.facts;
    const uname = UNAME.exec(text);
    if (uname) [f.host, f.kernel, f.arch] = [uname[1], uname[2], uname[3]];
    const pretty = PRETTY_NAME.exec(text);
    if (pretty) f.os = pretty[1];
    if (section.endsWith(" image") && !f.image) f.image = text;
    const target = /^target=(.+)$/.exec(text);
    if (target) f.target = target[1];
    const kind = /^kind=(container|process)$/.exec(text);
    if (kind) f.target_kind = kind[1] as "container" | "process";
    const pid = /^pid=(\d+)$/.exec(text);
    if (pid) f.pid = Number(pid[1]);
    const thread = THREAD.exec(text);
    if (thread && /pid\/threads$|^threads/.test(section)) f.target_threads.push(thread[2].trim());
    if (section === "tools") f.tools.push(text);
  }

  end(): ParseResult & {facts: ContextFacts} {
    const f = this.facts;
    const required: (keyof ContextFacts)[] = ["host", "kernel", "arch", "os", "target", "pid"];
    f.missing = required.filter((k) => f[k] === null) as string[];
    if (f.target_threads.length === 0) f.missing.push("target_threads");
    if (f.tools.length === 0) f.missing.push("tools");
    return {counts: this.counts, recognized: f.missing.length < required.length + 2, facts: f};
  }
}

// logging.writes — how many write() calls per second the target's threads make, who else
// writes, and whether a container runtime writes the target's output again (stdout logging
// through containerd-shim/dockerd/conmon costs one or two more writes per line).

import {count, list, num} from "./format.js";
import {answeringFiles, cannotTell, evidenceMetrics, evidenceOf, usable, withRows} from "./evidence.js";
import {defineFinding} from "./types.js";

/** Processes of container runtimes that relay a container's stdout/stderr. */
export const RUNTIME_WRITERS = /^(containerd-shim.*|containerd|dockerd|conmon|crio|podman)$/;
/** Runtime writes at least this fraction of the target's count the pattern "mirrored". */
export const MIRROR_RATIO = 0.5;

// The file that counts write() by thread (the first such, then the longest window).
const EVIDENCE = answeringFiles("syscall_counts", [withRows("syscall_counts", "v.syscall = 'write' AND v.thread IS NOT NULL")]);

const WRITES = `SELECT file, thread, sum(calls)::DOUBLE AS writes FROM syscall_counts WHERE syscall = 'write' AND thread IS NOT NULL
GROUP BY ALL ORDER BY writes DESC, thread`;

const CONTEXT = `SELECT any_value(target) AS target, any_value(target_threads) AS target_threads FROM captures`;

export const loggingWrites = defineFinding({
  id: "logging.writes",
  title: "Logging: write() calls by the target and the container runtime",
  queries: {evidence: EVIDENCE, writes: WRITES, context: CONTEXT},
  evaluate({evidence, writes, context}) {
    const c = context[0] ?? {};
    const primary = evidence[0];
    const target = (c.target as string | null) ?? "the target";
    const threads = new Set(((c.target_threads as string[] | null) ?? []).map(String));
    const window_s = primary?.window_s == null ? null : num(primary.window_s);
    const rows = writes.filter((r) => r.file === primary?.file).map((r) => ({thread: String(r.thread), writes: num(r.writes)}));
    const mine = rows.filter((r) => threads.has(r.thread) || r.thread === c.target);
    const runtime = rows.filter((r) => RUNTIME_WRITERS.test(r.thread));
    const targetWrites = mine.reduce((s, r) => s + r.writes, 0);
    const runtimeWrites = runtime.reduce((s, r) => s + r.writes, 0);
    const allWrites = rows.reduce((s, r) => s + r.writes, 0);
    const mirrored = targetWrites > 0 && runtimeWrites >= MIRROR_RATIO * targetWrites;
    const ref = evidenceOf(primary);
    const metrics = {
      ...evidenceMetrics(ref),
      window_s,
      target,
      target_writes: targetWrites as number | null,
      target_writes_per_s: window_s ? targetWrites / window_s : null,
      all_writes: allWrites,
      runtime_writes: runtimeWrites,
      runtime_writers: runtime,
      top_writers: rows.slice(0, 5),
      container_logging_mirrored: mirrored
    };
    if (ref && !usable(ref)) {
      metrics.target_writes = null;
      metrics.target_writes_per_s = null;
      return {severity: "info", conclusive: false, verdict: `cannot tell: syscall capture ${ref.status}`, metrics, narrative: cannotTell(ref, `${target}'s write() rate`)};
    }
    if (primary && rows.length === 0 && primary.complete === false) {
      metrics.target_writes = null;
      metrics.target_writes_per_s = null;
      return {
        severity: "info",
        conclusive: false, verdict: "cannot tell",
        metrics,
        narrative: `From ${primary.file} (${primary.source}): this source does not count write() by thread (or lists only its top entries), so ${target}'s writes cannot be told from it.`
      };
    }
    if (!primary) return {severity: "info", conclusive: false, verdict: "no syscall capture", metrics, narrative: "This bundle has no write-path syscall capture."};
    if (c.target == null && threads.size === 0) {
      metrics.target_writes = null;
      metrics.target_writes_per_s = null;
      const writers = list(rows.slice(0, 5).map((r) => `${r.thread} ${count(r.writes)}`));
      return {
        severity: "info",
        verdict: "write() callers",
        metrics,
        narrative: `From ${primary.file} (${primary.source}): ${count(allWrites)} write() calls${window_s ? ` in ${window_s} s` : ""}${writers ? `, most by ${writers}` : ""}. No target was named (no context file; convert with --target NAME), so no verdict about one.`
      };
    }
    const rate = window_s ? `${count(targetWrites / window_s)} write()/s (${count(targetWrites)} in ${window_s} s)` : `${count(targetWrites)} write() calls (window unknown, so no rate)`;
    const top = mine.slice(0, 3).map((r) => `${r.thread} ${count(r.writes)}`);
    const mirror = mirrored
      ? ` The container runtime writes them again: ${list(runtime.map((r) => `${r.thread} ${count(r.writes)}`))} (${count(runtimeWrites)} writes, ${(runtimeWrites / targetWrites).toFixed(1)}× the target's): stdout logging through the container runtime.`
      : runtime.length
        ? ` Container-runtime writes (${count(runtimeWrites)}) are too few to be mirroring the target's output.`
        : " No container-runtime process wrote in this window.";
    return {
      severity: mirrored || (window_s !== null && targetWrites / window_s > 10_000) ? "warning" : "info",
      verdict: mirrored ? "logging mirrored by the container runtime" : targetWrites > 0 ? "target writes" : "target does not write",
      metrics,
      narrative: `From ${primary.file} (${primary.source}): ${target}'s threads made ${rate}${top.length ? `: ${list(top)}` : ""}, of ${count(allWrites)} write() calls on the host.${mirror}`
    };
  },
  headline: (m) => (m.target_writes === null ? null : m.target_writes_per_s === null ? `${count(m.target_writes)} write() calls` : `${count(m.target_writes_per_s)} write()/s`),
  chart: (_rows, m) =>
    m.top_writers.length ? {kind: "bars", title: "write() calls by thread name", xTitle: "calls", bars: m.top_writers.map((w) => ({name: w.thread, value: w.writes}))} : null
});

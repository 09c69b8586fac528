// offcpu.breakdown — where the target's threads wait, from the stacks they were switched
// out in (the `offcpu_stacks` view: bpfbook's offcpu.bt, bcc's offcputime, off-CPU folded
// stacks…): the first rule whose pattern matches any frame classifies the stack.

import {duration, num} from "./format.js";
import {answeringFiles, cannotTell, evidenceMetrics, evidenceOf, usable, withRows} from "./evidence.js";
import {markKernel} from "./flame-tree.js";
import {FRAME_NAMES, frameNamer} from "./frames.js";
import {defineFinding} from "./types.js";

export const OFFCPU_RULES: {class: string; pattern: RegExp}[] = [
  {class: "futex", pattern: /futex/},
  {class: "network", pattern: /tcp_recvmsg|udp_recvmsg|sock_recvmsg|inet_recvmsg|sk_wait_data|unix_stream_read|sock_read_iter/},
  {class: "disk", pattern: /io_schedule|blk_mq_|wait_on_page_bit|folio_wait|jbd2|ext4_sync_file|xfs_file_fsync|file_write_and_wait/},
  {class: "sleep", pattern: /do_nanosleep|hrtimer_nanosleep|clock_nanosleep/},
  {class: "poll", pattern: /ep_poll|do_epoll_wait|do_sys_poll|do_select/}
];

const STACKS = `SELECT file, frame_ids, sum(us)::DOUBLE AS us FROM offcpu_stacks GROUP BY ALL ORDER BY us DESC`;

// One file answers: the first with stacks, then the longest window.
const FILES = answeringFiles("offcpu_stacks", [withRows("offcpu_stacks")]);

/**
 * Frames the tracing itself adds at the leaf of a stack: the sched_switch tracepoint's perf
 * and BPF glue (`perf_trace_sched_switch`, `__traceiter_sched_switch`, `__bpf_trace_*`,
 * trampolines), not where the thread waited. Kept in the tables, folded away for display and
 * classification.
 */
export const TRACING_FRAME = /^(perf_trace_|__traceiter_|__bpf_trace_|bpf_trace_run\d|bpf_prog_|bpf_trampoline_|trace_call_bpf|perf_tp_event|__perf_event_overflow)/;

/** A stack (root first) without the tracing frames at its leaf end. */
export function withoutTracing(frames: string[]): string[] {
  let end = frames.length;
  while (end > 0 && TRACING_FRAME.test(frames[end - 1])) end--;
  return end === frames.length ? frames : frames.slice(0, end);
}

export function classifyStack(frames: string[]): string {
  const waited = withoutTracing(frames);
  for (const rule of OFFCPU_RULES) if (waited.some((f) => rule.pattern.test(f))) return rule.class;
  return "other";
}

/** Off-CPU stacks for a flame graph: each under its class (futex, network…), tracing frames folded away, kernel frames marked, width = blocked µs. */
export function offcpuFlameStacks(rows: {frames: string[]; us: number; kernel_frames?: number | null}[]): {frames: string[]; samples: number}[] {
  return rows.map((r) => {
    const shown = withoutTracing(r.frames);
    const kernel = r.kernel_frames == null ? null : Math.max(0, r.kernel_frames - (r.frames.length - shown.length));
    return {frames: [classifyStack(r.frames), ...markKernel(shown, kernel)], samples: r.us};
  });
}

/** Every class a stack can take, the rules' order then `other`. */
export const OFFCPU_CLASSES = ["futex", "network", "disk", "sleep", "poll", "other"] as const;

export const offcpuBreakdown = defineFinding({
  id: "offcpu.breakdown",
  title: "Off-CPU: where the target's threads wait",
  queries: {stacks: STACKS, files: FILES, frames: FRAME_NAMES},
  evaluate({stacks, files, frames}) {
    const name = frameNamer(frames);
    const primary = files[0];
    const mine = stacks.filter((s) => s.file === primary?.file);
    const sums: Record<string, number> = {futex: 0, network: 0, disk: 0, sleep: 0, poll: 0, other: 0};
    for (const s of mine) sums[classifyStack(name(s.frame_ids))] += num(s.us);
    const totalUs = Object.values(sums).reduce((a, b) => a + b, 0);
    const ref = evidenceOf(primary);
    const metrics = {
      ...evidenceMetrics(ref),
      window_s: primary?.window_s == null ? null : num(primary.window_s),
      stacks: mine.length,
      total_us: totalUs,
      futex_us: sums.futex,
      network_us: sums.network,
      disk_us: sums.disk,
      sleep_us: sums.sleep,
      poll_us: sums.poll,
      other_us: sums.other,
      rules: OFFCPU_RULES.map((r) => ({class: r.class, pattern: r.pattern.source}))
    };
    if (ref && !usable(ref)) return {severity: "info", conclusive: false, verdict: `cannot tell: off-CPU capture ${ref.status}`, metrics, narrative: cannotTell(ref, "where the threads wait")};
    if (!primary) return {severity: "info", conclusive: false, verdict: "no off-CPU capture", metrics, narrative: "This bundle has no off-CPU capture."};
    const order = Object.entries(sums).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    const parts = order.map(([k, v]) => `${k} ${duration(v)}`);
    const disk = sums.disk > 0 ? `${duration(sums.disk)} waiting on disk` : "no disk wait (no io_schedule or block-layer frame)";
    return {
      severity: sums.disk > 0.1 * totalUs ? "warning" : "info",
      verdict: order.length ? `mostly ${order[0][0]}` : "no off-CPU time",
      metrics,
      narrative: `From ${primary.file} (${primary.source}): the traced threads spent ${duration(totalUs)} off-CPU (summed over threads): ${parts.join(", ") || "none"}; ${disk}.`
    };
  },
  headline: (m) => (m.evidence_file === null ? null : `futex ${duration(m.futex_us)}, network ${duration(m.network_us)}, disk ${duration(m.disk_us)}`),
  chart(_rows, m) {
    const bars = OFFCPU_CLASSES.map((k) => ({name: k, value: m[`${k}_us`] / 1e6}));
    return bars.some((b) => b.value > 0) ? {kind: "bars", title: "off-CPU time by class", xTitle: "seconds (summed over threads)", bars} : null;
  }
});

// offcpu.breakdown — where the target's threads wait, from the kernel stacks they were
// switched out in: the first rule whose pattern matches any frame classifies the stack.

import {duration, num} from "./format.js";
import type {FindingSpec} from "./types.js";

export const OFFCPU_RULES: {class: string; pattern: RegExp}[] = [
  {class: "futex", pattern: /futex/},
  {class: "network", pattern: /tcp_recvmsg|udp_recvmsg|sock_recvmsg|inet_recvmsg|sk_wait_data|unix_stream_read|sock_read_iter/},
  {class: "disk", pattern: /io_schedule|blk_mq_|wait_on_page_bit|folio_wait|jbd2|ext4_sync_file|xfs_file_fsync|file_write_and_wait/},
  {class: "sleep", pattern: /do_nanosleep|hrtimer_nanosleep|clock_nanosleep/},
  {class: "poll", pattern: /ep_poll|do_epoll_wait|do_sys_poll|do_select/}
];

const STACKS = `SELECT s.frames, sum(s.value)::DOUBLE AS us, any_value(s.unit) AS unit
FROM stacks s JOIN captures c ON c.capture_id = s.capture_id AND c.file = s.file
WHERE c.kind = 'offcpu' AND s.map = '@offcpu_us' AND NOT s.bookkeeping
GROUP BY s.frames ORDER BY us DESC`;

const FILES = `SELECT count(*)::INTEGER AS files, max(window_s) AS window_s FROM captures WHERE kind = 'offcpu'`;

export function classifyStack(frames: string[]): string {
  for (const rule of OFFCPU_RULES) if (frames.some((f) => rule.pattern.test(f))) return rule.class;
  return "other";
}

export const offcpuBreakdown: FindingSpec<"stacks" | "files"> = {
  id: "offcpu.breakdown",
  title: "Off-CPU: where the target's threads wait",
  queries: {stacks: STACKS, files: FILES},
  evaluate({stacks, files}) {
    const sums: Record<string, number> = {futex: 0, network: 0, disk: 0, sleep: 0, poll: 0, other: 0};
    for (const s of stacks) {
      const us = num(s.us) * (String(s.unit) === "ns" ? 1e-3 : String(s.unit) === "ms" ? 1e3 : 1);
      sums[classifyStack((s.frames as string[]).map(String))] += us;
    }
    const totalUs = Object.values(sums).reduce((a, b) => a + b, 0);
    const metrics = {
      window_s: files[0]?.window_s == null ? null : num(files[0].window_s),
      stacks: stacks.length,
      total_us: totalUs,
      futex_us: sums.futex,
      network_us: sums.network,
      disk_us: sums.disk,
      sleep_us: sums.sleep,
      poll_us: sums.poll,
      other_us: sums.other,
      rules: OFFCPU_RULES.map((r) => `${r.class}: ${r.pattern.source}`)
    };
    if (num(files[0]?.files ?? 0) === 0) return {severity: "info", verdict: "no off-CPU capture", metrics, narrative: "This bundle has no off-CPU capture."};
    const order = Object.entries(sums).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    const parts = order.map(([k, v]) => `${k} ${duration(v)}`);
    const disk = sums.disk > 0 ? `${duration(sums.disk)} waiting on disk` : "no disk wait (no io_schedule or block-layer frame)";
    return {
      severity: sums.disk > 0.1 * totalUs ? "warning" : "info",
      verdict: order.length ? `mostly ${order[0][0]}` : "no off-CPU time",
      metrics,
      narrative: `The target's threads spent ${duration(totalUs)} off-CPU (summed over threads): ${parts.join(", ") || "none"}; ${disk}.`
    };
  }
};

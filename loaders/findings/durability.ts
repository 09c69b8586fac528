// durability.fsync — does the target make its writes durable (fsync/fdatasync), and who does?
// Reads the evidence views: `fsync_calls` (callers, from whichever tool counted them:
// bpfbook's fsync.bt, syncsnoop.bt, bcc's syncsnoop or syscount…), `fsync_latency`, and
// `offcpu_stacks` for time blocked in io_schedule under an fsync path.

import {count, duration, durationRange, list, num, seconds} from "./format.js";
import {quantileBucket, total} from "./histogram.js";
import {answeringFiles, cannotTell, evidenceMetrics, evidenceOf, usable} from "./evidence.js";
import {framesMatching} from "./frames.js";
import {type QueryRow, defineFinding} from "./types.js";

// A dedicated fsync capture first, then one that counts every call (not a top-N).
const EVIDENCE = answeringFiles("fsync_calls", ["e.kind = 'fsync' DESC", "e.complete DESC"]);

const TARGET = `SELECT any_value(target) AS target, any_value(target_threads) AS target_threads FROM captures`;

const CALLERS = `SELECT file, thread, sum(calls)::DOUBLE AS calls FROM fsync_calls GROUP BY ALL ORDER BY calls DESC, thread NULLS LAST`;

const LATENCY = `SELECT lo_us AS lo, hi_us AS hi, sum(count)::DOUBLE AS count FROM fsync_latency WHERE thread IS NULL GROUP BY ALL ORDER BY lo NULLS FIRST`;

const IO_WAIT = `SELECT (SELECT count(*) FROM evidence WHERE list_contains(feeds, 'offcpu_stacks'))::INTEGER AS files,
  (SELECT coalesce(sum(us), 0) FROM offcpu_stacks WHERE list_has_any(frame_ids, ${framesMatching("io_schedule")})
    AND list_has_any(frame_ids, ${framesMatching("fsync|fdatasync|file_write_and_wait|jbd2")}))::DOUBLE AS us`;

export type Caller = {
  thread: string | null;
  calls: number;
  target: boolean;
};

export const durabilityFsync = defineFinding({
  id: "durability.fsync",
  title: "Durability: who calls fsync",
  queries: {evidence: EVIDENCE, target: TARGET, callers: CALLERS, latency: LATENCY, ioWait: IO_WAIT},
  evaluate({evidence, target, callers, latency, ioWait}) {
    const primary = evidence[0] as QueryRow | undefined;
    const ref = evidenceOf(primary);
    const window_s = primary?.window_s == null ? null : num(primary.window_s);
    const named = (target[0]?.target as string | null) ?? null;
    const targetName = named ?? "the target";
    const threads = ((target[0]?.target_threads as string[] | null) ?? []).map(String);
    const isTarget = (thread: string | null) => thread !== null && (threads.includes(thread) || thread === named);
    const rows: Caller[] = callers
      .filter((r) => r.file === primary?.file)
      .map((r) => ({thread: r.thread === null ? null : String(r.thread), calls: num(r.calls), target: isTarget(r.thread === null ? null : String(r.thread))}));
    const attributed = rows.every((r) => r.thread !== null);
    const allCalls = rows.reduce((s, r) => s + r.calls, 0);
    const targetCalls = attributed ? rows.filter((r) => r.target).reduce((s, r) => s + r.calls, 0) : allCalls === 0 ? 0 : null;
    const others = rows.filter((r) => r.thread !== null && !r.target);
    const buckets = latency.map((b) => ({lo: b.lo === null ? null : num(b.lo), hi: b.hi === null ? null : num(b.hi), count: num(b.count)}));
    const p50 = quantileBucket(buckets, 0.5);
    const max = quantileBucket(buckets, 1);
    const offcpu = num(ioWait[0]?.files ?? 0) > 0;
    const metrics = {
      ...evidenceMetrics(ref),
      capture_files: evidence.length,
      window_s,
      target: targetName,
      target_named: named !== null || threads.length > 0,
      target_threads: threads,
      target_fsync_calls: targetCalls,
      other_fsync_calls: attributed ? allCalls - (targetCalls ?? 0) : null,
      all_fsync_calls: allCalls as number | null,
      callers: rows,
      target_fsync_per_s: window_s && targetCalls !== null ? targetCalls / window_s : null,
      latency_samples: total(buckets),
      latency_p50_lo_us: p50?.lo ?? null,
      latency_p50_hi_us: p50?.hi ?? null,
      latency_max_lo_us: max?.lo ?? null,
      latency_max_hi_us: max?.hi ?? null,
      offcpu_captured: offcpu,
      fsync_io_wait_us: offcpu ? num(ioWait[0].us) : null
    };
    if (!primary) {
      Object.assign(metrics, {target_fsync_calls: null, other_fsync_calls: null, all_fsync_calls: null});
      return {severity: "info", conclusive: false, verdict: "no fsync capture", metrics, narrative: "This bundle has no capture that counts fsync calls, so durability cannot be judged."};
    }
    if (!usable(ref)) {
      // Nothing came out of the capture: no count, not even 0, is known.
      Object.assign(metrics, {target_fsync_calls: null, other_fsync_calls: null, all_fsync_calls: null, target_fsync_per_s: null});
      return {severity: "info", conclusive: false, verdict: `cannot tell: fsync capture ${ref!.status}`, metrics, narrative: cannotTell(ref!, `whether ${targetName} fsyncs`)};
    }
    const from = `From ${primary.file} (${primary.source}${window_s ? `, ${seconds(window_s)}` : ""}): `;
    const when = window_s ? `in ${seconds(window_s)}` : "during the capture (window unknown, so no rate)";
    const latencyText = p50 ? ` Latency: median in ${durationRange(p50.lo, p50.hi)}, slowest in ${durationRange(max!.lo, max!.hi)}.` : "";
    const ioWaitText =
      metrics.fsync_io_wait_us === null ? "" : metrics.fsync_io_wait_us > 0 ? ` Off-CPU, its threads spent ${duration(metrics.fsync_io_wait_us)} in io_schedule under an fsync path.` : " Off-CPU, its threads never blocked in io_schedule under an fsync path.";
    // A top-N list (syscount) cannot show that something did not happen.
    const topN = primary.complete === false && (rows.length === 0 || (targetCalls === 0 && attributed));
    const lossy = ref!.status !== "ok" && (targetCalls === 0 || allCalls === 0);
    if (topN || lossy) {
      metrics.target_fsync_calls = null;
      metrics.target_fsync_per_s = null;
      return {
        severity: "info",
        conclusive: false, verdict: "cannot tell",
        metrics,
        narrative: lossy
          ? cannotTell(ref!, `whether ${targetName} fsyncs (an absence needs a capture that lost nothing)`)
          : `${from}this source lists only its top entries (or could not name the calls), and ${named ? `${targetName}'s` : "no"} sync-family calls are not among them: whether ${targetName} fsyncs cannot be told from it.`
      };
    }
    const callerText = (r: Caller) => `${r.thread} ${count(r.calls)} ${r.calls === 1 ? "time" : "times"}`;
    if (!attributed) {
      if (allCalls === 0) {
        return {severity: "warning", verdict: "nothing fsyncs", metrics, narrative: `${from}no process called fsync or any sync-family call ${when}, so ${targetName} did not either.${latencyText}`};
      }
      return {
        severity: "info",
        conclusive: false, verdict: "cannot tell who fsyncs",
        metrics,
        narrative: `${from}${count(allCalls)} sync-family calls ${when}, counted system-wide: this source does not record which process made them, so whether ${targetName} fsyncs cannot be told.`
      };
    }
    const callersText = rows.length ? `${count(allCalls)} sync-family calls by ${rows.length} ${rows.length === 1 ? "thread" : "threads"}` : "no sync-family call by any thread";
    if (!metrics.target_named) {
      return {
        severity: "info",
        verdict: rows.length ? "fsync callers" : "nothing fsyncs",
        metrics,
        narrative: `${from}${callersText} ${when}${rows.length ? `: ${list(rows.slice(0, 8).map(callerText))}` : ""}. No target was named (no context file; convert with --target NAME), so no verdict about one.${latencyText}`
      };
    }
    const othersText = others.length
      ? `${others.length === 1 ? "Only one other thread called it" : `${others.length} other threads called it`}: ${list(others.slice(0, 8).map(callerText))}.`
      : "No other thread called it either.";
    const threadsText = threads.length ? ` (${list(threads)})` : "";
    if (targetCalls === 0) {
      return {
        severity: "warning",
        verdict: "target never fsyncs",
        metrics,
        narrative: `${from}${targetName}'s threads${threadsText} called fsync/fdatasync 0 times ${when}: its writes are not made durable by fsync. ${othersText}${latencyText}${ioWaitText}`
      };
    }
    const mine = rows.filter((r) => r.target);
    const rate = window_s ? ` (${(targetCalls! / window_s).toFixed(1)}/s)` : "";
    return {
      severity: "info",
      verdict: "target fsyncs",
      metrics,
      narrative: `${from}${targetName}'s threads called fsync/fdatasync ${count(targetCalls!)} times ${when}${rate}: ${list(mine.map((r) => `${r.thread} ${count(r.calls)}`))}.${others.length ? ` ${othersText}` : ""}${latencyText}${ioWaitText}`.replace(/\s+$/, "")
    };
  },
  gate: {percentiles: {prefix: "latency_", names: ["p50", "max"], count: "latency_samples"}},
  headline: (m) => (m.target_fsync_calls === null ? null : `${count(m.target_fsync_calls)} fsync calls by ${m.target}`),
  chart({latency}, m) {
    if (latency.length) {
      return {kind: "histogram", title: "fsync/fdatasync latency, all threads", xTitle: "latency (bpftrace buckets; 1 ms = 1024 µs)", bins: latency.map((b) => ({lo: b.lo === null ? null : num(b.lo), hi: b.hi === null ? null : num(b.hi), count: num(b.count)}))};
    }
    const bars = [
      ...m.target_threads.filter((t) => !m.callers.some((c) => c.thread === t)).map((t) => ({name: `${t} (target)`, value: 0})),
      ...m.callers.map((c) => ({name: `${c.thread ?? "(not recorded)"}${c.target ? " (target)" : ""}`, value: c.calls}))
    ];
    return bars.length ? {kind: "bars", title: "fsync/fdatasync calls per thread", xTitle: "calls", bars} : null;
  }
});

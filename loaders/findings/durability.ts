// durability.fsync — does the target make its writes durable (fsync/fdatasync), and who does?
// Reads the fsync capture: `@calls[comm]` counts calls by thread name and
// `@fsync_latency_us` is their latency histogram (see loaders/programs/fsync.bt).

import {count, duration, durationRange, list, num, seconds, toMicros} from "./format.js";
import {quantileBucket, total} from "./histogram.js";
import type {FindingSpec, QueryRow} from "./types.js";

const FILES = `SELECT count(*)::INTEGER AS files, max(window_s) AS window_s FROM captures WHERE kind = 'fsync'`;

const TARGET = `SELECT any_value(target) AS target, any_value(target_threads) AS target_threads FROM captures`;

const CALLERS = `SELECT v.key AS thread, sum(v.value)::DOUBLE AS calls
FROM "values" v JOIN captures c ON c.capture_id = v.capture_id AND c.file = v.file
WHERE c.kind = 'fsync' AND v.map = '@calls' AND v.stat = 'value' AND NOT v.bookkeeping
GROUP BY v.key ORDER BY calls DESC, thread`;

const LATENCY = `SELECT h.lo, h.hi, sum(h.count)::DOUBLE AS count, any_value(h.unit) AS unit
FROM histograms h JOIN captures c ON c.capture_id = h.capture_id AND c.file = h.file
WHERE c.kind = 'fsync' AND h.map = '@fsync_latency_us' AND NOT h.bookkeeping
GROUP BY h.lo, h.hi ORDER BY h.lo NULLS FIRST`;

// Off-CPU evidence: the target's time blocked in io_schedule under an fsync path.
const IO_WAIT = `SELECT count(DISTINCT c.file)::INTEGER AS files, coalesce(sum(s.value), 0)::DOUBLE AS us
FROM captures c LEFT JOIN stacks s ON c.capture_id = s.capture_id AND c.file = s.file AND s.map = '@offcpu_us' AND NOT s.bookkeeping
  AND len(list_filter(s.frames, f -> f LIKE '%io_schedule%')) > 0
  AND len(list_filter(s.frames, f -> regexp_matches(f, 'fsync|fdatasync|file_write_and_wait|jbd2'))) > 0
WHERE c.kind = 'offcpu'`;

export const durabilityFsync: FindingSpec<"files" | "target" | "callers" | "latency" | "ioWait"> = {
  id: "durability.fsync",
  title: "Durability: who calls fsync",
  queries: {files: FILES, target: TARGET, callers: CALLERS, latency: LATENCY, ioWait: IO_WAIT},
  evaluate({files, target, callers, latency, ioWait}) {
    const window_s = files[0]?.window_s === null || files[0]?.window_s === undefined ? null : num(files[0].window_s);
    const targetName = (target[0]?.target as string | null) ?? "the target";
    const threads = ((target[0]?.target_threads as string[] | null) ?? []).map(String);
    const targetThreads = new Set(threads);
    const rows = callers.map((r: QueryRow) => ({thread: String(r.thread), calls: num(r.calls), target: targetThreads.has(String(r.thread))}));
    const targetCalls = rows.filter((r) => r.target).reduce((s, r) => s + r.calls, 0);
    const otherCalls = rows.filter((r) => !r.target).reduce((s, r) => s + r.calls, 0);
    const scale = toMicros[String(latency[0]?.unit ?? "us")] ?? 1;
    const buckets = latency.map((b) => ({
      lo: b.lo === null ? null : num(b.lo) * scale,
      hi: b.hi === null ? null : num(b.hi) * scale,
      count: num(b.count)
    }));
    const p50 = quantileBucket(buckets, 0.5);
    const max = quantileBucket(buckets, 1);
    const metrics = {
      capture_files: num(files[0]?.files ?? 0),
      window_s,
      target: targetName,
      target_threads: threads,
      target_fsync_calls: targetCalls,
      other_fsync_calls: otherCalls,
      callers: rows.map((r) => `${r.thread}=${r.calls}`),
      target_fsync_per_s: window_s ? targetCalls / window_s : null,
      latency_samples: total(buckets),
      latency_p50_lo_us: p50?.lo ?? null,
      latency_p50_hi_us: p50?.hi ?? null,
      latency_max_lo_us: max?.lo ?? null,
      latency_max_hi_us: max?.hi ?? null,
      offcpu_captured: num(ioWait[0]?.files ?? 0) > 0,
      fsync_io_wait_us: num(ioWait[0]?.files ?? 0) > 0 ? num(ioWait[0].us) : null
    };
    if (metrics.capture_files === 0) {
      return {severity: "info", verdict: "no fsync capture", metrics, narrative: "This bundle has no fsync capture, so durability cannot be judged."};
    }
    const when = window_s ? `in ${seconds(window_s)}` : "during the capture (window unknown, so no rate)";
    const others = rows.filter((r) => !r.target);
    const othersText = others.length
      ? `${others.length === 1 ? "Only one other thread called it" : `${others.length} other threads called it`}: ${list(others.map((r) => `${r.thread} ${count(r.calls)} ${r.calls === 1 ? "time" : "times"}`))}.`
      : "No other thread called it either.";
    const latencyText = p50 ? ` Latency: median in ${durationRange(p50.lo, p50.hi)}, slowest in ${durationRange(max!.lo, max!.hi)}.` : "";
    const threadsText = threads.length ? ` (${list(threads)})` : "";
    const ioWaitText =
      metrics.fsync_io_wait_us === null ? "" : metrics.fsync_io_wait_us > 0 ? ` Off-CPU, its threads spent ${duration(metrics.fsync_io_wait_us)} in io_schedule under an fsync path.` : " Off-CPU, its threads never blocked in io_schedule under an fsync path.";
    if (targetCalls === 0) {
      return {
        severity: "warning",
        verdict: "target never fsyncs",
        metrics,
        narrative: `${targetName}'s threads${threadsText} called fsync/fdatasync 0 times ${when}: its writes are not made durable by fsync. ${othersText}${latencyText}${ioWaitText}`
      };
    }
    const mine = rows.filter((r) => r.target);
    const rate = window_s ? ` (${(targetCalls / window_s).toFixed(1)}/s)` : "";
    return {
      severity: "info",
      verdict: "target fsyncs",
      metrics,
      narrative: `${targetName}'s threads called fsync/fdatasync ${count(targetCalls)} times ${when}${rate}: ${list(mine.map((r) => `${r.thread} ${count(r.calls)}`))}. ${others.length ? othersText : ""}${latencyText}${ioWaitText}`.replace(/\s+$/, "")
    };
  }
};

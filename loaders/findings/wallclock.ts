// time.wallclock — where each of the target's threads spent its wall-clock time: on-CPU
// (timed samples ÷ the sampling rate the manifest records) or blocked, by class (off-CPU
// time by thread). The two captures run over the same window when `npm run capture` took
// them; otherwise each is taken per second of its own window, and the narrative says so.
// What neither capture saw (a block that began before the window) is the gap, stated with
// its size.

import {answeringFiles, cannotTell, evidenceMetrics, evidenceOf, usable, withRows} from "./evidence.js";
import {count, list, num, percent, seconds} from "./format.js";
import {OFFCPU_CLASSES, classifyStack} from "./offcpu.js";
import {TIMED_PROFILE, TIMED_PROFILE_FILE} from "./timeline.js";
import {FRAME_NAMES, frameNamer} from "./frames.js";
import {defineFinding} from "./types.js";

const OFFCPU = answeringFiles("offcpu_stacks", [withRows("offcpu_stacks", "v.tid IS NOT NULL"), withRows("offcpu_stacks")]);
const OFFCPU_FILE = `(SELECT file FROM (${OFFCPU}) LIMIT 1)`;

const ONCPU = `SELECT o.tid, any_value(o.thread) AS thread, sum(o.samples)::DOUBLE AS samples
FROM oncpu_samples o WHERE o.file = ${TIMED_PROFILE_FILE} AND o.tid IS NOT NULL GROUP BY o.tid ORDER BY o.tid`;

const BLOCKED = `SELECT tid, any_value(thread) AS thread, frame_ids, sum(us)::DOUBLE AS us
FROM offcpu_stacks WHERE file = ${OFFCPU_FILE} AND tid IS NOT NULL GROUP BY tid, frame_ids
ORDER BY tid, frame_ids`; // in a fixed order, so the sums (floating point) come out the same every run

// The on-CPU file's rate and window, and the off-CPU file's window.
const WINDOWS = `SELECT file, source, status, status_reason, recognized, window_s, (SELECT any_value(sample_hz) FROM captures c WHERE c.file = e.file) AS sample_hz
FROM (${TIMED_PROFILE}) e LIMIT 1`;

export type ThreadTime = {tid: number; thread: string | null; on_s: number; off_s: Record<string, number>; seconds: number; accounted: number};

export const wallclockThreads = defineFinding({
  id: "time.wallclock",
  title: "Wall clock: on-CPU and blocked, per thread",
  queries: {oncpu: ONCPU, blocked: BLOCKED, profile: WINDOWS, offcpu: OFFCPU, frames: FRAME_NAMES},
  evaluate({oncpu, blocked, profile, offcpu, frames}) {
    const name = frameNamer(frames);
    const on = profile[0];
    const off = offcpu[0];
    const onRef = evidenceOf(on);
    const offRef = evidenceOf(off);
    const hz = on?.sample_hz == null ? null : num(on.sample_hz);
    const onWindow = on?.window_s == null ? null : num(on.window_s);
    const offWindow = off?.window_s == null ? null : num(off.window_s);
    // Each thread's time as a share of its capture's window, so different windows compare.
    const window = onWindow !== null && offWindow !== null ? Math.max(onWindow, offWindow) : (onWindow ?? offWindow);
    const scaleOn = onWindow && window ? window / onWindow : 1;
    const scaleOff = offWindow && window ? window / offWindow : 1;
    const threads = new Map<number, ThreadTime>();
    const threadOf = (tid: number, name: unknown) => {
      let t = threads.get(tid);
      if (!t) threads.set(tid, (t = {tid, thread: name == null ? null : String(name), on_s: 0, off_s: {}, seconds: 0, accounted: 0}));
      return t;
    };
    if (hz) for (const r of oncpu) threadOf(num(r.tid), r.thread).on_s += (num(r.samples) / hz) * scaleOn;
    for (const r of blocked) {
      const t = threadOf(num(r.tid), r.thread);
      const cls = classifyStack(name(r.frame_ids));
      t.off_s[cls] = (t.off_s[cls] ?? 0) + (num(r.us) / 1e6) * scaleOff;
    }
    const list_ = [...threads.values()].sort((a, b) => a.tid - b.tid);
    for (const t of list_) {
      t.seconds = t.on_s + Object.values(t.off_s).reduce((a, b) => a + b, 0);
      t.accounted = window ? t.seconds / window : 0;
    }
    const capacity = window ? window * list_.length : 0;
    const totals: Record<string, number> = {"on-CPU": list_.reduce((s, t) => s + t.on_s, 0)};
    for (const cls of OFFCPU_CLASSES) totals[cls] = list_.reduce((s, t) => s + (t.off_s[cls] ?? 0), 0);
    const accounted = Object.values(totals).reduce((a, b) => a + b, 0);
    const metrics = {
      ...evidenceMetrics(offRef),
      oncpu_file: onRef?.file ?? null,
      sample_hz: hz,
      window_s: window,
      windows_differ: onWindow !== null && offWindow !== null && onWindow !== offWindow,
      threads: list_,
      thread_seconds: capacity,
      seconds_by_state: totals,
      shares: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, capacity ? v / capacity : null])),
      accounted_s: accounted,
      gap_s: capacity ? capacity - accounted : null,
      gap_share: capacity ? 1 - accounted / capacity : null
    };
    const needs = "on-CPU samples with thread ids and the sampling rate (perf script from npm run capture) and off-CPU time by thread (bpfbook's offcpu.bt since it keys by tid, or bcc's offcputime)";
    // Every missing piece is named, so the reader knows what to capture next; a failed
    // capture's missing rows are not called an absence.
    const lacks = (missing: (string | false)[]) => `Wall-clock time per thread needs ${needs}; this bundle lacks ${missing.filter(Boolean).join(" and ")}.`;
    if (!on || !off) {
      return {severity: "info", conclusive: false, verdict: "no per-thread time", metrics, narrative: lacks([!on && "on-CPU samples with thread ids", (!off || (usable(offRef) && !blocked.length)) && "off-CPU time by thread"])};
    }
    if (!usable(onRef)) return {severity: "info", conclusive: false, verdict: `cannot tell: on-CPU capture ${onRef!.status}`, metrics, narrative: cannotTell(onRef!, "where the threads' wall-clock time went")};
    if (!usable(offRef)) return {severity: "info", conclusive: false, verdict: `cannot tell: off-CPU capture ${offRef!.status}`, metrics, narrative: cannotTell(offRef!, "where the threads' wall-clock time went")};
    if (!hz || !window || !list_.length || !blocked.length) {
      const missing = [!hz && "the sampling rate of the on-CPU profile (the manifest's sample_hz)", !window && "a capture window", !blocked.length && "off-CPU time by thread"];
      return {severity: "info", conclusive: false, verdict: "no per-thread time", metrics, narrative: lacks(missing)};
    }
    const shares = Object.entries(totals)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k === "on-CPU" ? "on-CPU" : `blocked on ${k}`} ${percent(v / capacity)}`);
    const busiest = [...list_].sort((a, b) => b.on_s - a.on_s)[0];
    const busiestText = busiest.on_s > 0
      ? ` The busiest thread, ${busiest.thread ?? "?"} (tid ${busiest.tid}), was on-CPU ${percent(busiest.on_s / window)} of the window and blocked ${percent((busiest.seconds - busiest.on_s) / window)}.`
      : "";
    const normalised = metrics.windows_differ ? ` The two captures' windows differ (${seconds(onWindow!)} and ${seconds(offWindow!)}), so each is taken per second of its own window.` : "";
    return {
      severity: "info",
      verdict: `${percent(totals["on-CPU"] / capacity)} on-CPU`,
      metrics,
      narrative: `From ${on.file} (${on.source}, ${count(hz)} Hz: samples ÷ ${count(hz)} = CPU seconds) and ${off.file} (${off.source}): ${list_.length} thread${list_.length === 1 ? "" : "s"} over ${seconds(window)} (${seconds(Math.round(capacity))} of thread time): ${list(shares)}. The captures account for ${accounted.toFixed(1)} s of the ${seconds(Math.round(capacity))}; the gap of ${percent(1 - accounted / capacity)} is time neither saw (a thread blocked since before the window began shows only from its first wake-up; older off-CPU captures also miss blocks still in flight at the end).${busiestText}${normalised}`
    };
  },
  headline: (m) => (m.shares["on-CPU"] != null && m.threads.length ? `${percent(m.shares["on-CPU"] as number)} on-CPU across ${m.threads.length} threads` : null),
  chart: (_rows, m) =>
    m.thread_seconds && m.threads.length
      ? {kind: "bars", title: "share of the threads' wall-clock time", xTitle: "% of thread time", bars: Object.entries(m.shares).map(([name, v]) => ({name, value: ((v as number | null) ?? 0) * 100}))}
      : null
});

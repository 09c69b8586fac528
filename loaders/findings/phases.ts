// cpu.phases — whether the target's on-CPU activity changes over time: on-CPU samples per
// second against the median second, from sources that keep each sample's time
// (oncpu_samples: perf script). Busy seconds next to each other make one phase; phases at
// a regular spacing are reported as periodic, with the leaf frame whose share rises most
// inside them. A profile without sample times (folded stacks) cannot show phases, and the
// finding says so.

import {cannotTell, evidenceMetrics, evidenceOf, usable} from "./evidence.js";
import {count, list, num, percent, seconds} from "./format.js";
import {TIMED_PROFILE, TIMED_PROFILE_FILE} from "./timeline.js";
import {defineFinding} from "./types.js";

/** A second is busy when it holds at least this many times the median second's samples… */
export const PHASE_FACTOR = 1.5;
/** …and more than the median plus this many standard deviations of Poisson sampling noise (of at least one sample, so a mostly idle process needs a few samples in a second to call it busy). */
export const PHASE_NOISE_SD = 3;
/** Fewer whole seconds than this cannot show a phase against a median. */
export const MIN_SECONDS = 5;
/** Phases are periodic when every gap between their starts is within this many seconds of the median gap. */
export const PERIOD_TOLERANCE_S = 1;
/** Leaf frames compared inside and outside phases: the most sampled ones. */
const TOP_LEAVES = 50;


// Whole seconds from the first sample; the last, cut short by the end of the capture, is
// left out (its count would read as a dip).
const SECONDS = `WITH s AS (SELECT floor(t_s)::INTEGER AS second, samples FROM oncpu_samples WHERE file = ${TIMED_PROFILE_FILE} AND t_s >= 0)
SELECT second, sum(samples)::DOUBLE AS samples FROM s
WHERE second < (SELECT max(second) FROM s) OR (SELECT max(second) FROM s) = 0
GROUP BY second ORDER BY second`;

const LEAVES = `WITH p AS (
  SELECT floor(o.t_s)::INTEGER AS second, coalesce(f.name, '[no frames]') AS leaf, o.samples
  FROM oncpu_samples o JOIN stacks s ON s.capture_id = o.capture_id AND s.file = o.file AND s.stack_id = o.stack_id
  LEFT JOIN frames f ON f.capture_id = s.capture_id AND f.frame_id = s.frame_ids[-1]
  WHERE o.file = ${TIMED_PROFILE_FILE} AND o.t_s >= 0),
top AS (SELECT leaf FROM p GROUP BY leaf ORDER BY sum(samples) DESC, leaf LIMIT ${TOP_LEAVES})
SELECT second, leaf, sum(samples)::DOUBLE AS samples FROM p WHERE leaf IN (SELECT leaf FROM top) GROUP BY ALL ORDER BY second, leaf`;

export type Second = {second: number; samples: number};
export type Phase = {start_s: number; duration_s: number; samples: number; peak_samples: number};

/** Busy seconds, joined into phases where they follow each other. */
export function phasesOf(series: Second[], median: number): Phase[] {
  const busy = (s: Second) => s.samples >= PHASE_FACTOR * median && s.samples > median + PHASE_NOISE_SD * Math.sqrt(Math.max(median, 1));
  const phases: Phase[] = [];
  for (const s of series) {
    if (!busy(s)) continue;
    const last = phases.at(-1);
    if (last && s.second === last.start_s + last.duration_s) {
      last.duration_s++;
      last.samples += s.samples;
      last.peak_samples = Math.max(last.peak_samples, s.samples);
    } else phases.push({start_s: s.second, duration_s: 1, samples: s.samples, peak_samples: s.samples});
  }
  return phases;
}

/** The median gap between phase starts, when every gap is within PERIOD_TOLERANCE_S of it (needs three phases). */
export function periodOf(phases: Phase[]): number | null {
  if (phases.length < 3) return null;
  const gaps = phases.slice(1).map((p, i) => p.start_s - phases[i].start_s);
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return gaps.every((g) => Math.abs(g - median) <= PERIOD_TOLERANCE_S) ? median : null;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
};

export const cpuPhases = defineFinding({
  id: "cpu.phases",
  title: "On-CPU: steady or in phases",
  queries: {evidence: TIMED_PROFILE, seconds: SECONDS, leaves: LEAVES},
  evaluate({evidence, seconds: perSecond, leaves}) {
    const primary = evidence[0];
    const ref = evidenceOf(primary);
    // Seconds with no sample are idle seconds, not missing ones.
    const counts = new Map(perSecond.map((r) => [num(r.second), num(r.samples)]));
    const last = counts.size ? Math.max(...counts.keys()) : -1;
    const series: Second[] = Array.from({length: last + 1}, (_, second) => ({second, samples: counts.get(second) ?? 0}));
    const mid = median(series.map((s) => s.samples));
    const phases = series.length >= MIN_SECONDS ? phasesOf(series, mid) : [];
    const period = periodOf(phases);
    const inPhase = new Set(phases.flatMap((p) => Array.from({length: p.duration_s}, (_, k) => p.start_s + k)));
    const samples = series.reduce((s, x) => s + x.samples, 0);
    const inside = series.filter((s) => inPhase.has(s.second)).reduce((s, x) => s + x.samples, 0);
    // The leaf whose share of samples rises most inside the phases.
    const byLeaf = new Map<string, {inside: number; outside: number}>();
    for (const r of leaves) {
      const entry = byLeaf.get(String(r.leaf)) ?? {inside: 0, outside: 0};
      entry[inPhase.has(num(r.second)) ? "inside" : "outside"] += num(r.samples);
      byLeaf.set(String(r.leaf), entry);
    }
    const rises = [...byLeaf]
      .map(([leaf, c]) => ({leaf, inside_share: inside ? c.inside / inside : 0, outside_share: samples - inside ? c.outside / (samples - inside) : 0}))
      .sort((a, b) => b.inside_share - b.outside_share - (a.inside_share - a.outside_share) || a.leaf.localeCompare(b.leaf));
    const riser = phases.length && rises.length && rises[0].inside_share > rises[0].outside_share ? rises[0] : null;
    const metrics = {
      ...evidenceMetrics(ref),
      seconds: series.length,
      samples,
      median_samples_per_second: mid,
      phase_factor: PHASE_FACTOR,
      phases,
      period_s: period,
      phase_samples_share: samples ? inside / samples : null,
      rising_leaf: riser?.leaf ?? null,
      rising_leaf_inside_share: riser?.inside_share ?? null,
      rising_leaf_outside_share: riser?.outside_share ?? null,
      series
    };
    if (!primary) return {severity: "info", conclusive: false, verdict: "no timed on-CPU samples", metrics, narrative: "This bundle has no on-CPU samples with times (perf script keeps them; folded stacks do not), so whether CPU use changes over time cannot be seen."};
    if (!usable(ref)) return {severity: "info", conclusive: false, verdict: `cannot tell: on-CPU capture ${ref!.status}`, metrics, narrative: cannotTell(ref!, "whether CPU use changes over time")};
    const from = `From ${primary.file} (${primary.source}): `;
    if (series.length < MIN_SECONDS) {
      return {severity: "info", conclusive: false, verdict: "too short to tell", metrics, narrative: `${from}${series.length} whole second${series.length === 1 ? "" : "s"} of samples, fewer than the ${MIN_SECONDS} needed to tell a phase from the usual second.`};
    }
    const spread = `${count(samples)} on-CPU samples over ${series.length} s, a median of ${count(mid)} a second (from ${count(Math.min(...series.map((s) => s.samples)))} to ${count(Math.max(...series.map((s) => s.samples)))})`;
    if (!phases.length) {
      return {severity: "info", verdict: "steady", metrics, narrative: `${from}${spread}; no second holds ${PHASE_FACTOR}× the median beyond sampling noise, so CPU use is steady over the window.`};
    }
    const described = phases.map((p) => `at ${seconds(p.start_s)} for ${seconds(p.duration_s)} (up to ${count(p.peak_samples)} samples a second, ${(p.peak_samples / Math.max(mid, 1)).toFixed(1)}× the median)`);
    const rhythm = period !== null ? `every ${seconds(period)}: ` : "";
    const what = riser ? ` Inside them, ${riser.leaf} takes ${percent(riser.inside_share)} of samples against ${percent(riser.outside_share)} outside.` : "";
    return {
      severity: "info",
      verdict: period !== null ? `periodic CPU phase every ${seconds(period)}` : `${phases.length} CPU phase${phases.length === 1 ? "" : "s"}`,
      metrics,
      narrative: `${from}${spread}. ${phases.length === 1 ? "One busy phase" : `${phases.length} busy phases`} ${rhythm}${list(described)}, holding ${percent(inside / samples)} of the samples.${what}`
    };
  },
  headline: (m) => (m.seconds >= MIN_SECONDS ? (m.phases.length ? `${m.phases.length} busy phase${m.phases.length === 1 ? "" : "s"}${m.period_s !== null ? `, every ${seconds(m.period_s)}` : ""}` : `steady over ${m.seconds} s`) : null),
  chart: (_rows, m) =>
    m.seconds >= MIN_SECONDS ? {kind: "bars", title: "on-CPU samples per second", xTitle: "samples", bars: m.series.map((s) => ({name: `${s.second} s`, value: s.samples}))} : null
});

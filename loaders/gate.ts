// `bpfbook gate`: whether a bundle's findings cross a line, for CI. Two checks:
// - fail on severity: every finding at or above a level (`--fail-on warning|critical`);
// - regressions against a baseline bundle's findings: a verdict whose severity rose, a
//   percentile bucket that moved up by a factor, a share that grew beyond its 95% interval
//   (what each finding watches is declared on it: FindingSpec.gate). A finding that could
//   not answer on either side (`conclusive: false`) is no basis for a comparison, and
//   percentiles resting on fewer than MIN_SAMPLES events are not compared.
import {builtinFindings} from "./findings/index.js";
import {durationRange, percent} from "./findings/format.js";
import {MIN_SAMPLES} from "./findings/interval.js";
import type {Finding, FindingSpec, Metrics, Severity} from "./findings/types.js";

export type Level = "warning" | "critical";
export const LEVELS: Level[] = ["warning", "critical"];

const RANK: Record<Severity, number> = {info: 0, warning: 1, critical: 2};

export interface GateFailure {
  finding: string;
  check: "severity" | "verdict" | "percentile" | "share";
  message: string;
  before: number | string | null;
  after: number | string | null;
}

/** Findings at or above `level`. */
export function atOrAbove(findings: Finding[], level: Level): GateFailure[] {
  return findings
    .filter((f) => RANK[f.severity] >= RANK[level])
    .map((f) => ({finding: f.id, check: "severity", message: `${f.id}: ${f.severity} · ${f.verdict} — ${f.narrative}`, before: null, after: f.severity}));
}

const num = (m: Metrics, key: string): number | null => (typeof m[key] === "number" ? (m[key] as number) : null);

/** A percentile bucket's top (its lower bound when open above), in µs. */
const top = (m: Metrics, key: string) => num(m, `${key}_hi_us`) ?? num(m, `${key}_lo_us`);
const bucket = (m: Metrics, key: string) => durationRange(num(m, `${key}_lo_us`), num(m, `${key}_hi_us`));

/** What got worse in `current` against `baseline`, finding by finding; `specs` declare what each watches (an analyst's findings may too). */
export function regressions(current: Finding[], baseline: Finding[], {factor = 2, specs = builtinFindings as readonly Pick<FindingSpec, "id" | "gate">[]} = {}): GateFailure[] {
  const out: GateFailure[] = [];
  for (const after of current) {
    const before = baseline.find((f) => f.id === after.id);
    if (!before || before.conclusive === false || after.conclusive === false) continue;
    if (RANK[after.severity] > RANK[before.severity]) {
      out.push({
        finding: after.id,
        check: "verdict",
        message: `${after.id}: verdict ${before.verdict} (${before.severity}) → ${after.verdict} (${after.severity})`,
        before: before.verdict,
        after: after.verdict
      });
    }
    const watch = specs.find((s) => s.id === after.id)?.gate;
    if (watch?.percentiles) {
      const {prefix, names, count} = watch.percentiles;
      const enough = (m: Metrics) => (num(m, count) ?? 0) >= MIN_SAMPLES;
      for (const name of enough(before.metrics) && enough(after.metrics) ? names : []) {
        const key = prefix + name;
        const [a, b] = [top(before.metrics, key), top(after.metrics, key)];
        if (a === null || b === null || a <= 0 || b < factor * a) continue;
        out.push({
          finding: after.id,
          check: "percentile",
          message: `${after.id}: ${key} ${bucket(before.metrics, key)} → ${bucket(after.metrics, key)} (${(b / a).toFixed(0)}× the baseline's bucket, over the ${factor}× allowed)`,
          before: a,
          after: b
        });
      }
    }
    for (const share of watch?.shares ?? []) {
      const [a, b] = [before.metrics[`${share}_ci95`], after.metrics[`${share}_ci95`]];
      if (!Array.isArray(a) || !Array.isArray(b) || typeof a[1] !== "number" || typeof b[0] !== "number" || b[0] <= a[1]) continue;
      const shown = (m: Metrics, ci: number[]) => `${percent(num(m, share) ?? NaN)} (${percent(ci[0])}–${percent(ci[1])})`;
      out.push({
        finding: after.id,
        check: "share",
        message: `${after.id}: ${share} ${shown(before.metrics, a as number[])} → ${shown(after.metrics, b as number[])}: grew beyond its 95% interval`,
        before: num(before.metrics, share),
        after: num(after.metrics, share)
      });
    }
  }
  return out;
}

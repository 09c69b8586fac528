// What changed between two bundles' findings, as sentences for the compare page: the
// verdict first, then what each finding watches (FindingSpec.gate: percentile buckets and
// shares with their 95% intervals), then the headline numbers. Verdict changes sort first.
import {durationRange, percent} from "./format.js";
import {MIN_SAMPLES} from "./interval.js";
import type {Finding, FindingSpec, Metrics} from "./types.js";

export type ChangeKind = "verdict" | "measure" | "added" | "removed" | "inconclusive" | "same";

export interface FindingChange {
  id: string;
  title: string;
  kind: ChangeKind;
  /** One sentence, plain text. */
  sentence: string;
}

const ORDER: ChangeKind[] = ["verdict", "measure", "added", "removed", "inconclusive", "same"];

const num = (m: Metrics, key: string): number | null => (typeof m[key] === "number" && Number.isFinite(m[key]) ? (m[key] as number) : null);
const top = (m: Metrics, key: string) => num(m, `${key}_hi_us`) ?? num(m, `${key}_lo_us`);
const bucket = (m: Metrics, key: string) => durationRange(num(m, `${key}_lo_us`), num(m, `${key}_hi_us`));
const label = (name: string) => name.replace(/^p999$/, "p99.9");

/** "16×" or "1/4 of": how B's value stands to A's. */
function ratioText(a: number, b: number): string {
  const r = b / a;
  return r >= 1 ? `${r >= 10 ? Math.round(r) : Number(r.toFixed(1))}× A's` : `1/${1 / r >= 10 ? Math.round(1 / r) : Number((1 / r).toFixed(1))} of A's`;
}

/** What the finding's watched measures say, and whether one moved (a percentile by 2× or more, a share beyond its interval). */
function measures(a: Finding, b: Finding, spec: Pick<FindingSpec, "gate"> | undefined): {text: string[]; moved: boolean} {
  const text: string[] = [];
  let moved = false;
  const watch = spec?.gate;
  if (watch?.percentiles) {
    const {prefix, names, count} = watch.percentiles;
    const enough = (m: Metrics) => (num(m, count) ?? 0) >= MIN_SAMPLES;
    const name = names.includes("p99") ? "p99" : names[names.length - 1];
    const key = prefix + name;
    const [x, y] = [top(a.metrics, key), top(b.metrics, key)];
    if (x !== null && y !== null && x > 0 && enough(a.metrics) && enough(b.metrics)) {
      const [bx, by] = [bucket(a.metrics, key), bucket(b.metrics, key)];
      if (bx === by) text.push(`B's ${label(name)} is in A's bucket, ${by}`);
      else {
        text.push(`B's ${label(name)} is ${ratioText(x, y)}: ${by} against ${bx}`);
        moved ||= y >= 2 * x || y <= x / 2;
      }
    }
  }
  for (const share of watch?.shares ?? []) {
    const [x, y] = [num(a.metrics, share), num(b.metrics, share)];
    const [ca, cb] = [a.metrics[`${share}_ci95`], b.metrics[`${share}_ci95`]];
    if (x === null || y === null || !Array.isArray(ca) || !Array.isArray(cb)) continue;
    const apart = (cb[0] as number) > (ca[1] as number) || (cb[1] as number) < (ca[0] as number);
    moved ||= apart;
    text.push(`B's ${share.replace(/_/g, " ")} is ${percent(y)} against A's ${percent(x)} (${apart ? "beyond" : "within"} sampling noise)`);
  }
  return {text, moved};
}

/** One change per finding of either side, verdict changes first, then in B's (else A's) order. */
export function findingChanges(a: Finding[], b: Finding[], specs: readonly Pick<FindingSpec, "id" | "gate">[] = []): FindingChange[] {
  const ids = [...new Set([...b.map((f) => f.id), ...a.map((f) => f.id)])];
  const out = ids.map((id): FindingChange => {
    const [fa, fb] = [a.find((f) => f.id === id), b.find((f) => f.id === id)];
    const title = (fb ?? fa)!.title;
    if (!fa) return {id, title, kind: "added", sentence: `Only B has it: ${fb!.verdict}.`};
    if (!fb) return {id, title, kind: "removed", sentence: `Only A has it: ${fa.verdict}.`};
    const numbers = fa.headline === fb.headline ? (fb.headline ? ` (${fb.headline})` : "") : `; B: ${fb.headline ?? "no number"}, A: ${fa.headline ?? "no number"}`;
    if (!fa.conclusive || !fb.conclusive) {
      const side = !fa.conclusive && !fb.conclusive ? "neither side can tell" : !fa.conclusive ? `A cannot tell (${fa.verdict}); B: ${fb.verdict}` : `B cannot tell (${fb.verdict}); A: ${fa.verdict}`;
      return {id, title, kind: "inconclusive", sentence: `No comparison: ${side}.`};
    }
    const {text, moved} = measures(fa, fb, specs.find((s) => s.id === id));
    const detail = text.length ? ` ${text.join("; ")}.` : "";
    if (fa.verdict !== fb.verdict || fa.severity !== fb.severity) {
      const severity = fa.severity === fb.severity ? "" : ` (${fa.severity} → ${fb.severity})`;
      return {id, title, kind: "verdict", sentence: `Verdict changed: ${fa.verdict} → ${fb.verdict}${severity}${numbers}.${detail}`};
    }
    if (moved) return {id, title, kind: "measure", sentence: `Same verdict (${fb.verdict}), but:${detail}`};
    return {id, title, kind: "same", sentence: `Same verdict: ${fb.verdict}${numbers}.${detail}`};
  });
  return out.sort((x, y) => ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind));
}

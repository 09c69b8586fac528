// disk.latency — block-I/O service time per class and overall, from the `block_io_latency`
// view (bpfbook's bio.bt, biolatency.bt, bcc's biolatency, biosnoop events…). From buckets a
// percentile is the bucket that holds it plus an interpolated estimate labelled as such; from
// events it is exact. Throughput from bytes and window; a storage class from the median.
// File-system latency (ext4dist and friends) is a different view and never mixed in.

import {bucketDuration, count, durationRange, num} from "./format.js";
import {type Bucket, quantileBucket, total} from "./histogram.js";
import {answeringFiles, cannotTell, evidenceMetrics, evidenceOf, usable, withRows} from "./evidence.js";
import {type QueryRow, type Value, defineFinding} from "./types.js";

/** Median service time below which storage is local flash, and above which it is networked. */
export const LOCAL_NVME_MAX_US = 100;
export const NETWORK_MIN_US = 1000;

// One file answers (the first with rows), so a bundle holding biolatency and biosnoop of the
// same I/Os does not count them twice.
const EVIDENCE = answeringFiles("block_io_latency", [withRows("block_io_latency")]);

const BUCKETS = `SELECT file, coalesce(class, 'all') AS class, lo_us AS lo, hi_us AS hi, sum(count)::DOUBLE AS count, bool_and(exact) AS exact
FROM block_io_latency GROUP BY ALL ORDER BY file, class, lo NULLS FIRST`;

const BYTES = `SELECT file, sum(bytes)::DOUBLE AS bytes FROM block_io_bytes GROUP BY file`;

const QUANTILES: [string, number][] = [["p50", 0.5], ["p90", 0.9], ["p99", 0.99], ["p999", 0.999], ["max", 1]];

export function latencyClass(p50us: number | null): string {
  if (p50us === null) return "unknown";
  if (p50us < LOCAL_NVME_MAX_US) return "local NVMe";
  if (p50us >= NETWORK_MIN_US) return "network block storage";
  return "SSD or virtual disk";
}

/** Buckets summed over classes, for sources that only print per-class (per-disk) histograms. */
function sumClasses(byClass: Map<string, Bucket[]>): Bucket[] {
  const sums = new Map<string, Bucket>();
  for (const list of byClass.values()) {
    for (const b of list) {
      const key = `${b.lo}:${b.hi}`;
      const s = sums.get(key) ?? {lo: b.lo, hi: b.hi, count: 0};
      s.count += b.count;
      sums.set(key, s);
    }
  }
  return [...sums.values()].sort((a, b) => (a.lo ?? -Infinity) - (b.lo ?? -Infinity));
}

/** The answering file's buckets by class, with "all" summed from the classes where the source prints none. */
function bucketsByClass(buckets: QueryRow[], file: Value | undefined): Map<string, Bucket[]> {
  const byClass = new Map<string, Bucket[]>();
  for (const r of buckets.filter((b) => b.file === file)) {
    const list = byClass.get(String(r.class)) ?? [];
    list.push({lo: r.lo === null ? null : num(r.lo), hi: r.hi === null ? null : num(r.hi), count: num(r.count)});
    byClass.set(String(r.class), list);
  }
  if (byClass.size && !byClass.has("all")) byClass.set("all", sumClasses(byClass));
  return byClass;
}

export const diskLatency = defineFinding({
  id: "disk.latency",
  title: "Block I/O: service time and storage class",
  queries: {evidence: EVIDENCE, buckets: BUCKETS, bytes: BYTES},
  evaluate({evidence, buckets, bytes}) {
    const primary = evidence[0];
    const rows = buckets.filter((r) => r.file === primary?.file);
    const exact = rows.length > 0 && rows.every((r) => r.exact === true);
    const byClass = bucketsByClass(buckets, primary?.file);
    const window_s = primary?.window_s == null ? null : num(primary.window_s);
    const byteRow = bytes.find((b) => b.file === primary?.file);
    const totalBytes = byteRow?.bytes == null ? null : num(byteRow.bytes);
    const ref = evidenceOf(primary);
    const metrics: Record<string, Value> = {
      ...evidenceMetrics(ref),
      exact,
      window_s,
      bytes: totalBytes,
      throughput_bytes_per_s: totalBytes !== null && window_s ? totalBytes / window_s : null,
      classes: [...byClass.keys()].filter((c) => c !== "all"),
      latency_class_thresholds: `local NVMe: median < ${LOCAL_NVME_MAX_US} µs; network block storage: median ≥ ${NETWORK_MIN_US} µs`
    };
    for (const [cls, list] of byClass) {
      const prefix = cls === "all" ? "" : `${cls}_`;
      metrics[`${prefix}ios`] = total(list);
      for (const [name, q] of QUANTILES) {
        const b = quantileBucket(list, q);
        metrics[`${prefix}${name}_lo_us`] = b?.lo ?? null;
        metrics[`${prefix}${name}_hi_us`] = b?.hi ?? null;
        metrics[`${prefix}${name}_est_us`] = b?.estimate ?? null;
      }
    }
    if (ref && (!usable(ref) || (ref.status !== "ok" && total(byClass.get("all") ?? []) === 0))) {
      return {severity: "info", conclusive: false, verdict: `cannot tell: block-I/O capture ${ref.status}`, metrics, narrative: cannotTell(ref, "block-I/O service time")};
    }
    if (!primary || total(byClass.get("all") ?? []) === 0) {
      const why = primary ? `${primary.file} (${primary.source}) recorded no block I/O.` : "This bundle has no block-I/O latency capture.";
      return {severity: "info", conclusive: primary !== undefined, verdict: primary ? "no block I/O seen" : "no block-I/O capture", metrics, narrative: why};
    }
    const cls = latencyClass(metrics.p50_est_us as number | null);
    metrics.latency_class = cls;
    const range = (name: string, prefix = "") => durationRange(metrics[`${prefix}${name}_lo_us`] as number | null, metrics[`${prefix}${name}_hi_us`] as number | null);
    const writes = [...byClass.keys()].filter((c) => c !== "all" && c.includes("W"));
    const busiestWrite = writes.sort((a, b) => num(metrics[`${b}_ios`]) - num(metrics[`${a}_ios`]))[0];
    const throughput = metrics.throughput_bytes_per_s as number | null;
    const rate = throughput !== null ? `${(throughput / 1e6).toFixed(1)} MB/s (${count(totalBytes!)} bytes in ${window_s} s)` : totalBytes !== null ? `${count(totalBytes)} bytes (window unknown, so no rate)` : "bytes not captured";
    const p99hi = (metrics.p99_hi_us ?? metrics.p99_lo_us) as number | null;
    const severity = p99hi !== null && p99hi > 16 * 1024 ? "warning" : "info";
    const how = exact ? `exact, from ${count(metrics.ios as number)} events` : "percentiles as the histogram buckets that hold them";
    return {
      severity,
      verdict: cls,
      metrics,
      narrative:
        `From ${primary.file} (${primary.source}; ${how}): ` +
        `${count(metrics.ios as number)} block I/Os: median in ${range("p50")}, p99 in ${range("p99")}, p99.9 in ${range("p999")}, slowest in ${range("max")}. ` +
        (busiestWrite ? `Writes (${busiestWrite}) have their median in ${range("p50", `${busiestWrite}_`)} and p99.9 in ${range("p999", `${busiestWrite}_`)}. ` : "") +
        `A median in ${range("p50")} puts this in the ${cls} class (local NVMe: median under ${bucketDuration(LOCAL_NVME_MAX_US)}; network block storage such as EBS: ${bucketDuration(NETWORK_MIN_US)} or more). Throughput ${rate}.`
    };
  },
  gate: {percentiles: {prefix: "", names: ["p50", "p99", "p999"], count: "ios"}},
  headline: (m) => (m.p999_lo_us == null && m.p999_hi_us == null ? null : `p99.9 in ${durationRange(m.p999_lo_us as number | null, m.p999_hi_us as number | null)}`),
  chart({buckets}, m) {
    const all = bucketsByClass(buckets, m.evidence_file).get("all") ?? [];
    return all.length ? {kind: "histogram", title: "block I/O service time, all I/Os", xTitle: "service time (bpftrace buckets; 1 ms = 1024 µs)", bins: all} : null;
  }
});

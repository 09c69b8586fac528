// disk.latency — block-I/O service time per RWBS class and overall, as the buckets that
// hold each percentile (bpftrace keeps no samples), an interpolated estimate labelled as
// such, throughput from bytes and window, and a storage class read from the median.

import {bucketDuration, count, durationRange, num, toMicros} from "./format.js";
import {type Bucket, quantileBucket, total} from "./histogram.js";
import type {FindingSpec, Value} from "./types.js";

/** Median service time below which storage is local flash, and above which it is networked. */
export const LOCAL_NVME_MAX_US = 100;
export const NETWORK_MIN_US = 1000;

const BUCKETS = `SELECT coalesce(h.key, 'all') AS class, h.lo, h.hi, sum(h.count)::DOUBLE AS count, any_value(h.unit) AS unit
FROM histograms h JOIN captures c ON c.capture_id = h.capture_id AND c.file = h.file
WHERE c.kind = 'bio' AND h.map IN ('@bio_latency_us', '@bio_by_rwbs_us') AND NOT h.bookkeeping
GROUP BY ALL ORDER BY class, h.lo NULLS FIRST`;

const BYTES = `SELECT sum(v.value)::DOUBLE AS bytes, max(c.window_s) AS window_s, count(DISTINCT c.file)::INTEGER AS files
FROM captures c LEFT JOIN "values" v ON c.capture_id = v.capture_id AND c.file = v.file AND v.map = '@bytes_by_rwbs' AND NOT v.bookkeeping
WHERE c.kind = 'bio'`;

const QUANTILES: [string, number][] = [["p50", 0.5], ["p90", 0.9], ["p99", 0.99], ["p999", 0.999], ["max", 1]];

export function latencyClass(p50us: number | null): string {
  if (p50us === null) return "unknown";
  if (p50us < LOCAL_NVME_MAX_US) return "local NVMe";
  if (p50us >= NETWORK_MIN_US) return "network block storage";
  return "SSD or virtual disk";
}

export const diskLatency: FindingSpec<"buckets" | "bytes"> = {
  id: "disk.latency",
  title: "Block I/O: service time and storage class",
  queries: {buckets: BUCKETS, bytes: BYTES},
  evaluate({buckets, bytes}) {
    const byClass = new Map<string, Bucket[]>();
    for (const r of buckets) {
      const scale = toMicros[String(r.unit)] ?? 1;
      const list = byClass.get(String(r.class)) ?? [];
      list.push({lo: r.lo === null ? null : num(r.lo) * scale, hi: r.hi === null ? null : num(r.hi) * scale, count: num(r.count)});
      byClass.set(String(r.class), list);
    }
    const files = num(bytes[0]?.files ?? 0);
    const window_s = bytes[0]?.window_s == null ? null : num(bytes[0].window_s);
    const totalBytes = bytes[0]?.bytes == null ? null : num(bytes[0].bytes);
    const metrics: Record<string, Value> = {
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
    if (files === 0 || !byClass.has("all")) {
      return {severity: "info", verdict: "no block-I/O capture", metrics, narrative: "This bundle has no block-I/O latency capture."};
    }
    const cls = latencyClass(metrics.p50_est_us as number | null);
    metrics.latency_class = cls;
    const range = (name: string, prefix = "") => durationRange(metrics[`${prefix}${name}_lo_us`] as number | null, metrics[`${prefix}${name}_hi_us`] as number | null);
    const writes = [...byClass.keys()].filter((c) => c !== "all" && c.includes("W"));
    const busiestWrite = writes.sort((a, b) => num(metrics[`${b}_ios`]) - num(metrics[`${a}_ios`]))[0];
    const throughput = metrics.throughput_bytes_per_s as number | null;
    const rate = throughput !== null ? `${(throughput / 1e6).toFixed(1)} MB/s (${count(totalBytes!)} bytes in ${window_s} s)` : totalBytes !== null ? `${count(totalBytes)} bytes (window unknown, so no rate)` : "bytes not captured";
    const p99hi = metrics.p99_hi_us as number | null;
    const severity = p99hi !== null && p99hi > 16 * 1024 ? "warning" : "info";
    return {
      severity,
      verdict: cls,
      metrics,
      narrative:
        `${count(metrics.ios as number)} block I/Os: median in ${range("p50")}, p99 in ${range("p99")}, p99.9 in ${range("p999")}, slowest in ${range("max")}. ` +
        (busiestWrite ? `Writes (${busiestWrite}) have their median in ${range("p50", `${busiestWrite}_`)} and p99.9 in ${range("p999", `${busiestWrite}_`)}. ` : "") +
        `A median in ${range("p50")} puts this in the ${cls} class (local NVMe: median under ${bucketDuration(LOCAL_NVME_MAX_US)}; network block storage such as EBS: ${bucketDuration(NETWORK_MIN_US)} or more). Throughput ${rate}.`
    };
  }
};


// cpu.hotspots — what the target spends its CPU on, from on-CPU stacks: the share of
// samples whose stack has a frame matching each category (categories may overlap), the top
// frames by self and total samples, and the hashing backend in use, warning when a hash
// library runs its portable (scalar) code instead of SIMD.

import {list, num, percent} from "./format.js";
import {answeringFiles, cannotTell, evidenceMetrics, evidenceOf, usable, withRows} from "./evidence.js";
import {MIN_SAMPLES, wilson} from "./interval.js";
import {FRAME_NAMES, nameFrames} from "./frames.js";
import {type QueryRow, defineFinding} from "./types.js";

export interface CategoryRule {
  name: string;
  pattern: string;
}

/** Default categories; the On-CPU page lets an analyst edit them and recomputes. */
export const CPU_CATEGORIES: CategoryRule[] = [
  {name: "hash", pattern: "blake3::|blake2|sha2::|sha256|sha3::|keccak|ring::digest|SHA256_|sha256_block|ripemd"},
  {name: "log_format", pattern: "tracing_subscriber::fmt|env_logger|log4rs|slog::|console\\.log|formatWithOptions"},
  {name: "allocator", pattern: "^(malloc|free|cfree|realloc|calloc|_int_malloc|_int_free|__libc_malloc|__libc_free|je_|mi_malloc|tcmalloc)|jemalloc|mimalloc|unlink_chunk"},
  {name: "storage", pattern: "rocksdb::|leveldb|sled::|lmdb|mdbx|fsync|fdatasync|ext4_|xfs_"}
];

const BACKENDS: [RegExp, string, boolean][] = [
  [/blake3::portable/, "blake3 portable (scalar)", true],
  [/blake3::.*(avx512|avx2|sse41|sse2|neon)/i, "blake3 SIMD", false],
  [/blake3_hash_many_(avx512|avx2|sse41|sse2|neon)/i, "blake3 SIMD", false],
  [/sha256_block_data_order_(shaext|avx2|avx|ssse3|neon|armv8)/i, "sha256 SIMD/SHA extensions", false],
  [/sha256_block_data_order$|sha256_block_data_order_nohw|sha2::sha256::soft/, "sha256 portable (scalar)", true]
];

// One file answers (the first with samples, then the longest window): a perf script and the
// folded stacks made from it are the same samples.
const CONTEXT = answeringFiles("oncpu_stacks", [withRows("oncpu_stacks")], ", (SELECT any_value(arch) FROM captures) AS arch");

const STACKS = `SELECT frame_ids, sum(samples)::DOUBLE AS samples, max(kernel_frames) AS kernel_frames FROM oncpu_stacks
WHERE file IN (SELECT file FROM (${CONTEXT} LIMIT 1)) GROUP BY frame_ids ORDER BY samples DESC, frame_ids`;

/** A leaf frame with no symbol: `[unknown]` or a bare address. */
export const UNSYMBOLIZED = /^\[unknown\]$|^(0x)?[0-9a-f]{6,16}$/i;
/** Above this share of unsymbolized leaves, the profile is called out as missing symbols. */
export const UNKNOWN_WARN = 0.05;

export interface FrameCount {
  frame: string;
  self: number;
  total: number;
}

export function cpuProfile(stacks: QueryRow[], rules: CategoryRule[] = CPU_CATEGORIES) {
  const patterns = rules.map((r) => ({name: r.name, re: new RegExp(r.pattern)}));
  const shares: Record<string, number> = Object.fromEntries(rules.map((r) => [r.name, 0]));
  const frames = new Map<string, FrameCount>();
  const backends = new Map<string, {samples: number; portable: boolean}>();
  let samples = 0;
  let unknown = 0;
  for (const s of stacks) {
    const list = (s.frames as string[]).map(String);
    const n = num(s.samples);
    samples += n;
    if (list.length === 0 || UNSYMBOLIZED.test(list[list.length - 1])) unknown += n;
    for (const p of patterns) if (list.some((f) => p.re.test(f))) shares[p.name] += n;
    const seen = new Set<string>();
    for (const f of list) {
      const entry = frames.get(f) ?? {frame: f, self: 0, total: 0};
      if (!seen.has(f)) entry.total += n;
      seen.add(f);
      frames.set(f, entry);
    }
    if (list.length) frames.get(list[list.length - 1])!.self += n;
    const backend = BACKENDS.find(([re]) => list.some((f) => re.test(f)));
    if (backend) {
      const b = backends.get(backend[1]) ?? {samples: 0, portable: backend[2]};
      b.samples += n;
      backends.set(backend[1], b);
    }
  }
  const top = [...frames.values()];
  return {
    samples,
    shares: Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, samples ? v / samples : 0])),
    counts: shares,
    unknown,
    topSelf: [...top].sort((a, b) => b.self - a.self).slice(0, 15),
    topTotal: [...top].sort((a, b) => b.total - a.total).slice(0, 15),
    backends: [...backends].sort((a, b) => b[1].samples - a[1].samples)
  };
}

const range = (ci: [number, number] | null) => (ci ? `${(ci[0] * 100).toFixed(1)}–${(ci[1] * 100).toFixed(1)}%` : "no interval");

export const cpuHotspots = defineFinding({
  id: "cpu.hotspots",
  title: "On-CPU: where the CPU goes",
  queries: {stacks: STACKS, context: CONTEXT, frames: FRAME_NAMES},
  evaluate({stacks, context, frames}) {
    const p = cpuProfile(nameFrames(stacks, frames));
    const backend = p.backends[0];
    const primary = context[0];
    const ref = evidenceOf(primary);
    const ci = (k: number) => wilson(k, p.samples);
    const metrics = {
      ...evidenceMetrics(ref),
      window_s: primary?.window_s == null ? null : num(primary.window_s),
      samples: p.samples,
      unique_stacks: stacks.length,
      hash_samples: p.counts.hash,
      hash_share: p.shares.hash,
      hash_share_ci95: ci(p.counts.hash),
      log_format_samples: p.counts.log_format,
      log_format_share: p.shares.log_format,
      log_format_share_ci95: ci(p.counts.log_format),
      allocator_share: p.shares.allocator,
      allocator_share_ci95: ci(p.counts.allocator),
      storage_share: p.shares.storage,
      storage_share_ci95: ci(p.counts.storage),
      min_samples: MIN_SAMPLES,
      unknown_samples: p.unknown,
      unknown_share: p.samples ? p.unknown / p.samples : null,
      unknown_warn_share: UNKNOWN_WARN,
      hash_backend: backend ? backend[0] : null,
      hash_backend_portable: backend ? backend[1].portable : null,
      top_self: p.topSelf.slice(0, 5).map((f) => ({frame: f.frame, samples: f.self})),
      top_total: p.topTotal.slice(0, 5).map((f) => ({frame: f.frame, samples: f.total})),
      categories: CPU_CATEGORIES.map((c) => ({name: c.name, pattern: c.pattern}))
    };
    if (ref && !usable(ref)) return {severity: "info", conclusive: false, verdict: `cannot tell: on-CPU capture ${ref.status}`, metrics, narrative: cannotTell(ref, "where the CPU goes")};
    if (!primary || p.samples === 0) {
      const why = primary ? `${primary.file} (${primary.source}) holds no on-CPU samples.` : "This bundle has no on-CPU samples.";
      return {severity: "info", conclusive: false, verdict: "no on-CPU samples", metrics, narrative: why};
    }
    const arch = String(context[0]?.arch ?? "");
    const simd = /aarch64|arm64/.test(arch) ? "NEON" : /x86_64|amd64/.test(arch) ? "SSE4.1/AVX2/AVX-512" : "SIMD";
    const backendText = backend
      ? backend[1].portable
        ? ` Hashing runs its portable (scalar) backend (${backend[0]}) on an ${arch || "unknown"} host where ${simd} should be used.`
        : ` Hashing uses its vectorised backend (${backend[0]}).`
      : "";
    const top = p.topSelf.slice(0, 3).map((f) => `${f.frame} ${percent(f.self / p.samples)}`);
    const share = (k: "hash" | "log_format" | "allocator" | "storage") => `${percent(p.shares[k])} (${range(ci(p.counts[k]))})`;
    const shares = `hashing is in ${share("hash")} of ${p.samples.toLocaleString("en-US")} on-CPU samples, log formatting in ${share("log_format")}, the allocator in ${share("allocator")}, storage in ${share("storage")} (95% intervals)`;
    const from = `From ${primary.file} (${primary.source}): `;
    if (p.samples < MIN_SAMPLES) {
      return {
        severity: "info",
        conclusive: false, verdict: "sample too small",
        metrics,
        narrative: `${from}only ${p.samples} on-CPU samples, fewer than the ${MIN_SAMPLES} needed to rank shares: ${shares}.`
      };
    }
    const unknownShare = p.unknown / p.samples;
    const unknownText =
      unknownShare > UNKNOWN_WARN
        ? ` ${percent(unknownShare)} of samples end in an unsymbolized frame ([unknown] or a bare address), over the ${percent(UNKNOWN_WARN)} this report accepts: symbols are missing for some code (stripped binaries, JIT code) or stacks were walked without frame pointers, so those samples cannot be attributed.`
        : "";
    return {
      severity: backend?.[1].portable || unknownShare > UNKNOWN_WARN ? "warning" : "info",
      verdict: backend?.[1].portable ? "hashing on its scalar backend" : p.shares.hash > 0.3 ? "hash-bound" : "CPU profile",
      metrics,
      narrative: `${from}${shares}.${backendText} Hottest frames by self samples: ${list(top)}.${unknownText}`
    };
  },
  gate: {shares: ["hash_share", "log_format_share"]},
  headline: (m) => (m.samples ? `${percent(m.hash_share)} hashing of ${m.samples.toLocaleString("en-US")} samples` : null),
  chart: (_rows, m) =>
    m.samples
      ? {kind: "bars", title: "share of on-CPU samples by category", xTitle: "% of samples", bars: (["hash", "log_format", "allocator", "storage"] as const).map((k) => ({name: k, value: m[`${k}_share`] * 100}))}
      : null
});

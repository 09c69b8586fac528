// Number and unit formatting shared by narratives and pages.

export const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));

export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A duration given in µs, in the unit that reads best: 850 µs, 4 ms, 1.5 s. */
export function duration(us: number): string {
  if (!Number.isFinite(us)) return "?";
  if (us >= 1e6) return `${trim(us / 1e6)} s`;
  if (us >= 1e3) return `${trim(us / 1e3)} ms`;
  return `${trim(us)} µs`;
}

/**
 * A bucket bound in µs as bpftrace labels it: its K and M are 1024 and 1024², so the
 * bucket [2K, 4K) µs reads "2–4 ms" (each "ms" being 1024 µs), matching the raw output.
 * Bounds in whole decimal milliseconds (bcc's msecs histograms) read as such.
 */
export function bucketDuration(us: number): string {
  // bcc prints msecs buckets in real milliseconds: a bound of 128000 µs is 128 ms, not 125.
  if (us >= 1000 && us % 1000 === 0) return duration(us);
  if (us >= 1024 ** 2 && us % 1024 ** 2 === 0) return `${us / 1024 ** 2} s`;
  if (us >= 1024 && us % 1024 === 0) return `${us / 1024} ms`;
  return duration(us);
}

/** A bucket [lo, hi) of µs as a range: "2–4 ms". */
export function durationRange(lo: number | null, hi: number | null): string {
  if (lo !== null && lo === hi) return duration(lo); // an exact value, from an event
  if (lo === null) return `< ${bucketDuration(hi ?? NaN)}`;
  if (hi === null) return `≥ ${bucketDuration(lo)}`;
  const [a, b] = [bucketDuration(lo), bucketDuration(hi)];
  const [va, ua] = a.split(" ");
  const [vb, ub] = b.split(" ");
  return ua === ub ? `${va}–${vb} ${ub}` : `${a}–${b}`;
}

export const toMicros: Record<string, number> = {ns: 1e-3, us: 1, ms: 1e3, s: 1e6};

export function seconds(s: number): string {
  return `${trim(s)} s`;
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 1 : 0).replace(/\.0$/, "");
}

// One bucket line of a bpftrace hist()/lhist():
//   [0]  [1]  [2, 4)  [4K, 8K)  (..., 0)  [100, ...)   followed by a count and a bar.
// K, M, G, T, P, E are powers of 1024, as bpftrace prints them.

export type Bucket = {lo: number | null; hi: number | null; count: number} | {error: string};

const LINE = /^([[(])([^\])]*)([\])])\s+(\S+)(?:\s+\|.*)?\s*$/;
const NUMBER = /^(-?\d+)([KMGTPE]?)$/;
const POWERS: Record<string, number> = {"": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60};

/** Parses a bucket line; null when the line is not shaped like one. */
export function parseBucket(text: string): Bucket | null {
  const m = LINE.exec(text);
  if (!m) return null;
  const [, open, body, close, countText] = m;
  const bounds = body.split(", ");
  let lo: number | null;
  let hi: number | null;
  if (bounds.length === 1 && open === "[" && close === "]") {
    const n = parseBound(bounds[0]);
    if (n === undefined || n === null) return {error: `bad bucket bound '${bounds[0]}'`};
    [lo, hi] = [n, n + 1];
  } else if (bounds.length === 2 && close === ")") {
    lo = parseBound(bounds[0]) as number | null;
    hi = parseBound(bounds[1]) as number | null;
    if (lo === undefined || hi === undefined) return {error: `bad bucket bounds '${body}'`};
    if ((open === "(") !== (lo === null)) return {error: `bad bucket '${open}${body}${close}'`};
    if (lo !== null && hi !== null && !(lo < hi)) return {error: `empty bucket '${body}'`};
  } else {
    return {error: `bad bucket '${open}${body}${close}'`};
  }
  if (!/^\d+$/.test(countText)) return {error: `non-numeric count '${countText}'`};
  return {lo, hi, count: Number(countText)};
}

/** A bound: a number with an optional 1024-power suffix, or `...` (open) as null. */
function parseBound(text: string): number | null | undefined {
  if (text === "...") return null;
  const m = NUMBER.exec(text);
  return m ? Number(m[1]) * POWERS[m[2]] : undefined;
}

/** The label bpftrace prints for a bound (inverse of parseBound), used by tests and renderers. */
export function formatBound(n: number): string {
  for (const suffix of ["E", "P", "T", "G", "M", "K"]) {
    const p = POWERS[suffix];
    if (n !== 0 && n % p === 0) return `${n / p}${suffix}`;
  }
  return String(n);
}

// The on-CPU timeline: every timed sample (oncpu_samples) as a time and an index into the
// file's distinct stacks, in typed arrays. The On-CPU page draws FlameScope's sub-second
// heat map from it and, for any selected time range, the flame graph of that range: a
// binary search for the range, one pass summing samples per stack, then the usual tree.
// The build writes it once per bundle (encodeTimeline); the page decodes it.

import {type Profile, markKernel} from "./flame-tree.js";
import {answeringFiles, withRows} from "./evidence.js";
import {FRAME_NAMES, frameNamer} from "./frames.js";
import type {QueryRow} from "./types.js";

/** The files with timed on-CPU samples, best first (usable, with samples, the longest window); the first answers. */
export const TIMED_PROFILE = answeringFiles("oncpu_samples", [withRows("oncpu_samples")]);
export const TIMED_PROFILE_FILE = `(SELECT file FROM (${TIMED_PROFILE}) LIMIT 1)`;

export const TIMELINE_QUERIES = {
  samples: `SELECT t_s, stack_id, samples FROM oncpu_samples WHERE file = ${TIMED_PROFILE_FILE} ORDER BY t_s, stack_id`,
  stacks: `SELECT s.stack_id, s.frame_ids, s.kernel_frames FROM stacks s
WHERE s.file = ${TIMED_PROFILE_FILE} AND s.stack_id IN (SELECT stack_id FROM oncpu_samples WHERE file = ${TIMED_PROFILE_FILE})
ORDER BY s.stack_id`,
  frames: FRAME_NAMES
};

export interface Timeline {
  /** Distinct frame names. */
  frames: string[];
  /** Each distinct stack as frame indexes, root first. */
  stacks: number[][];
  /** Sample times in seconds from the first sample, ascending. */
  t: Float32Array;
  /** Index into `stacks` of each sample. */
  stack: Int32Array;
  /** Samples each row stands for; null when every row is one sample. */
  weight: Float32Array | null;
}

/** The timeline of TIMELINE_QUERIES' rows. */
export function timelineOf(samples: QueryRow[], stacks: QueryRow[], frames: QueryRow[]): Timeline {
  const name = frameNamer(frames);
  const frameIndex = new Map<string, number>();
  const frameOf = (f: string) => frameIndex.get(f) ?? frameIndex.set(f, frameIndex.size).get(f)!;
  const stackIndex = new Map<number, number>();
  const stackList: number[][] = [];
  for (const s of stacks) {
    stackIndex.set(Number(s.stack_id), stackList.length);
    stackList.push(markKernel(name(s.frame_ids), s.kernel_frames).map(frameOf));
  }
  const n = samples.length;
  const t = new Float32Array(n);
  const stack = new Int32Array(n);
  const weight = new Float32Array(n);
  let weighted = false;
  samples.forEach((r, i) => {
    const index = stackIndex.get(Number(r.stack_id));
    if (index === undefined) throw new Error(`sample at ${r.t_s} s points at stack ${r.stack_id}, which the stacks table lacks`);
    t[i] = Number(r.t_s);
    stack[i] = index;
    weight[i] = Number(r.samples);
    if (weight[i] !== 1) weighted = true;
  });
  return {frames: [...frameIndex.keys()], stacks: stackList, t, stack, weight: weighted ? weight : null};
}

const MAGIC = 0x6270746c; // "bptl"
const VERSION = 1;
const HEADER = 24;

/** [magic, version, samples, weighted, json bytes, pad] + JSON {frames, stacks} + t + stack (+ weight). */
export function encodeTimeline(timeline: Timeline): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({frames: timeline.frames, stacks: timeline.stacks}));
  const pad = (4 - (json.length % 4)) % 4;
  const n = timeline.t.length;
  const arrays = n * 8 + (timeline.weight ? n * 4 : 0);
  const bytes = new Uint8Array(HEADER + json.length + pad + arrays);
  const view = new DataView(bytes.buffer);
  [MAGIC, VERSION, n, timeline.weight ? 1 : 0, json.length, pad].forEach((v, i) => view.setUint32(i * 4, v, true));
  bytes.set(json, HEADER);
  let at = HEADER + json.length + pad;
  for (const array of [timeline.t, timeline.stack, timeline.weight]) {
    if (!array) continue;
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    at += array.byteLength;
  }
  return bytes;
}

export function decodeTimeline(buffer: ArrayBuffer): Timeline {
  const view = new DataView(buffer);
  if (buffer.byteLength < HEADER || view.getUint32(0, true) !== MAGIC) throw new Error("not a bpfbook timeline");
  if (view.getUint32(4, true) !== VERSION) throw new Error(`timeline version ${view.getUint32(4, true)}, expected ${VERSION}`);
  const [n, weighted, jsonLength, pad] = [2, 3, 4, 5].map((i) => view.getUint32(i * 4, true));
  const start = HEADER + jsonLength + pad;
  if (buffer.byteLength !== start + n * (weighted ? 12 : 8)) throw new Error("truncated timeline");
  const {frames, stacks} = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, HEADER, jsonLength))) as {frames: string[]; stacks: number[][]};
  const stack = new Int32Array(buffer, start + n * 4, n);
  for (let i = 0; i < n; i++) if (stack[i] < 0 || stack[i] >= stacks.length) throw new Error(`timeline sample ${i}: no stack ${stack[i]}`);
  return {frames, stacks, t: new Float32Array(buffer, start, n), stack, weight: weighted ? new Float32Array(buffer, start + n * 8, n) : null};
}

/** The first sample at or after `time` (t is ascending). */
function lowerBound(t: Float32Array, time: number): number {
  let [lo, hi] = [0, t.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The samples in [from, to) as a profile: each stack once with its samples. */
export function rangeProfile(timeline: Timeline, from = -Infinity, to = Infinity): Profile {
  const sums = new Float64Array(timeline.stacks.length);
  const {t, stack, weight} = timeline;
  const [a, b] = [lowerBound(t, from), lowerBound(t, to)];
  if (weight) for (let i = a; i < b; i++) sums[stack[i]] += weight[i];
  else for (let i = a; i < b; i++) sums[stack[i]]++;
  const stacks: [number[], number][] = [];
  sums.forEach((v, k) => v > 0 && stacks.push([timeline.stacks[k], v]));
  return {frames: timeline.frames, stacks};
}

/** Samples in [from, to). */
export function samplesIn(timeline: Timeline, from = -Infinity, to = Infinity): number {
  const [a, b] = [lowerBound(timeline.t, from), lowerBound(timeline.t, to)];
  if (!timeline.weight) return b - a;
  let n = 0;
  for (let i = a; i < b; i++) n += timeline.weight[i];
  return n;
}

export interface SubsecondGrid {
  /** Whole seconds (columns). */
  columns: number;
  /** Rows per second: each is 1/rows of a second. */
  rows: number;
  /** Samples in column c, row r at counts[c * rows + r]. */
  counts: Float64Array;
  max: number;
}

/** FlameScope's grid: columns are seconds, rows the offset within the second. */
export function subsecondGrid(timeline: Timeline, rows = 50): SubsecondGrid {
  const {t, weight} = timeline;
  const columns = t.length ? Math.floor(Math.max(0, t[t.length - 1])) + 1 : 0;
  const counts = new Float64Array(columns * rows);
  for (let i = 0; i < t.length; i++) {
    if (t[i] < 0) continue;
    const second = Math.floor(t[i]);
    const row = Math.min(rows - 1, Math.floor((t[i] - second) * rows));
    counts[second * rows + row] += weight ? weight[i] : 1;
  }
  let max = 0;
  for (const c of counts) if (c > max) max = c;
  return {columns, rows, counts, max};
}

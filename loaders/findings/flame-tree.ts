// The call tree behind the flame graph, in typed arrays: a 100k-stack profile makes half a
// million nodes, which as objects and Maps cost seconds of allocation and GC. Node 0 is
// the root; a node's id is always above its parent's, so one ascending pass lays it out.
// The build makes the tree once and ships it as a binary (encodeFlameFile): the page only
// lays it out, with no stacks to merge.

export interface Stack {
  frames: string[];
  samples: number;
}

/** A profile with each distinct frame once and stacks as frame indexes (root first). */
export interface Profile {
  frames: string[];
  stacks: [number[], number][];
}

export interface FlameTree {
  size: number;
  maxDepth: number;
  /** Total samples (the root's value). */
  total: number;
  names: string[];
  /** Frame index of each node (-1 for the root). */
  frame: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  value: Float64Array;
  /** Left edge as a fraction of the root. */
  x0: Float64Array;
  /** Children of node i are children[offset[i]] … children[offset[i + 1] - 1], widest first. */
  offset: Int32Array;
  children: Int32Array;
}

/** The suffix stackcollapse-perf --kernel gives kernel frames, which flame graphs colour apart. */
export const KERNEL_SUFFIX = "_[k]";

/** A stack (root first) with its last `kernel` frames marked as the kernel's, for display; `kernel` as a query gives it (null: unknown). */
export function markKernel(frames: string[], kernel: unknown): string[] {
  const n = kernel == null ? 0 : Number(kernel);
  if (!n) return frames;
  const from = Math.max(0, frames.length - n);
  return frames.map((f, i) => (i >= from && !f.endsWith(KERNEL_SUFFIX) ? f + KERNEL_SUFFIX : f));
}

export function profileOf(stacks: Stack[]): Profile {
  const index = new Map<string, number>();
  const id = (f: string) => index.get(f) ?? index.set(f, index.size).get(f)!;
  return {stacks: stacks.map((s) => [s.frames.map(id), s.samples]), frames: [...index.keys()]};
}

export const nameOf = (tree: FlameTree, node: number) => (node === 0 ? "all" : tree.names[tree.frame[node]]);

export function buildFlameTree({frames: names, stacks}: Profile): FlameTree {
  let capacity = 1024;
  let frame = new Int32Array(capacity);
  let parent = new Int32Array(capacity);
  let value = new Float64Array(capacity);
  const grow = () => {
    capacity *= 2;
    const copy = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    [frame, parent, value] = [copy(frame), copy(parent), copy(value)];
  };
  frame[0] = -1;
  parent[0] = -1;
  let size = 1;
  // (parent, frame) → child in an open-addressing hash table of node ids (0 = empty slot,
  // the root is never a child): far faster than a Map for millions of lookups.
  let slots = new Int32Array(1 << 12);
  const slotOf = (table: Int32Array, p: number, f: number) => {
    const mask = table.length - 1;
    let h = (Math.imul(p, 0x9e3779b1) ^ Math.imul(f + 1, 0x85ebca77)) & mask;
    while (table[h] !== 0 && (parent[table[h]] !== p || frame[table[h]] !== f)) h = (h + 1) & mask;
    return h;
  };
  const rehash = () => {
    const bigger = new Int32Array(slots.length * 2);
    for (let n = 1; n < size; n++) bigger[slotOf(bigger, parent[n], frame[n])] = n;
    slots = bigger;
  };
  for (const [ids, samples] of stacks) {
    value[0] += samples;
    let node = 0;
    for (const f of ids) {
      const slot = slotOf(slots, node, f);
      let next = slots[slot];
      if (next === 0) {
        if (size === capacity) grow();
        next = size++;
        frame[next] = f;
        parent[next] = node;
        slots[slot] = next;
        if (size * 2 > slots.length) rehash();
      }
      value[next] += samples;
      node = next;
    }
  }
  return layOut(names, frame.subarray(0, size), parent.subarray(0, size), value.subarray(0, size));
}

/** Depths, children lists (widest first) and left edges of a merged tree. */
function layOut(names: string[], frame: Int32Array, parent: Int32Array, value: Float64Array, known?: Int32Array): FlameTree {
  const size = frame.length;
  const depth = known ?? new Int32Array(size);
  let maxDepth = 0;
  for (let i = 1; i < size; i++) {
    if (!known) depth[i] = depth[parent[i]] + 1;
    if (depth[i] > maxDepth) maxDepth = depth[i];
  }
  // Children lists (CSR), each sorted widest first.
  const offset = new Int32Array(size + 1);
  for (let i = 1; i < size; i++) offset[parent[i] + 1]++;
  for (let i = 0; i < size; i++) offset[i + 1] += offset[i];
  const children = new Int32Array(Math.max(size - 1, 0));
  const fill = offset.slice(0, size);
  for (let i = 1; i < size; i++) children[fill[parent[i]]++] = i;
  for (let i = 0; i < size; i++) {
    if (offset[i + 1] - offset[i] > 1 && !widestFirst(children, offset[i], offset[i + 1], value)) {
      children.subarray(offset[i], offset[i + 1]).sort((a, b) => value[b] - value[a] || a - b);
    }
  }
  const x0 = new Float64Array(size);
  const total = value[0];
  for (let i = 0; i < size; i++) {
    let x = x0[i];
    for (let c = offset[i]; c < offset[i + 1]; c++) {
      x0[children[c]] = x;
      x += total > 0 ? value[children[c]] / total : 0;
    }
  }
  return {size, maxDepth, total, names, frame, parent, depth, value, x0, offset, children};
}

/** Whether children[from, to) are already widest first (a tree from the build always is). */
function widestFirst(children: Int32Array, from: number, to: number, value: Float64Array): boolean {
  for (let c = from + 1; c < to; c++) if (value[children[c]] > value[children[c - 1]]) return false;
  return true;
}

// Binary form, read with no JSON but the names and no decompression: "BPFT", version,
// node count, bytes of the node list, bytes of names, 1 if values are fractional; then the
// nodes in depth-first order, children widest first, each as unsigned LEB128 varints:
// depth, frame + 1 (0 for the root), and value (samples, whole numbers) or, if any value is
// fractional, the value as a little-endian float64; then the frame names as UTF-8 JSON.
// In that order the page's layout finds every children list sorted, and most numbers fit
// in a byte or two: 100k distinct stacks (540k nodes) take 3.5 MB where float and int
// arrays took 10 MB.
const MAGIC = 0x54465042;
const VERSION = 3;
const HEADER = 24;

/** The header fields after magic and version. */
function headerOf(view: DataView) {
  const [nodes, bodyLength, namesLength, fractional] = [8, 12, 16, 20].map((at) => view.getUint32(at, true));
  return {nodes, bodyLength, namesLength, fractional: fractional === 1, length: HEADER + bodyLength + namesLength};
}

/**
 * The tree in binary form. With `minShare`, only nodes holding at least that share of all
 * samples (and so wide enough to be drawn in the first view), with their names.
 */
export function encodeFlameTree(tree: FlameTree, minShare = 0): Uint8Array {
  const body: number[] = [];
  const put = (v: number) => {
    for (; v >= 0x80; v = Math.floor(v / 0x80)) body.push((v % 0x80) | 0x80);
    body.push(v);
  };
  const least = minShare * tree.total;
  const fractional = tree.value.some((v) => !Number.isSafeInteger(v) || v < 0);
  const float = new DataView(new ArrayBuffer(8));
  const names: string[] = [];
  const nameIndex = new Int32Array(tree.names.length).fill(-1);
  let size = 0;
  const pending = [0];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const f = tree.frame[node];
    if (f >= 0 && nameIndex[f] === -1) nameIndex[f] = names.push(tree.names[f]) - 1;
    put(tree.depth[node]);
    put(f < 0 ? 0 : nameIndex[f] + 1);
    if (!fractional) put(tree.value[node]);
    else {
      float.setFloat64(0, tree.value[node], true);
      for (let k = 0; k < 8; k++) body.push(float.getUint8(k));
    }
    size++;
    for (let c = tree.offset[node + 1] - 1; c >= tree.offset[node]; c--) {
      if (tree.value[tree.children[c]] >= least) pending.push(tree.children[c]);
    }
  }
  const nameBytes = new TextEncoder().encode(JSON.stringify(names));
  const bytes = new Uint8Array(HEADER + body.length + nameBytes.length);
  const view = new DataView(bytes.buffer);
  [MAGIC, VERSION, size, body.length, nameBytes.length, fractional ? 1 : 0].forEach((v, i) => view.setUint32(i * 4, v, true));
  bytes.set(body, HEADER);
  bytes.set(nameBytes, HEADER + body.length);
  return bytes;
}

/** Nodes under this share of the samples are under a third of a pixel in a 1,200-pixel first view. */
export const FIRST_VIEW_SHARE = 1 / 4000;

/**
 * The build's flame file: the tree of the first view (FIRST_VIEW_SHARE), then, if that
 * left any node out, the whole tree. A page draws as soon as the first has arrived.
 */
export function encodeFlameFile(tree: FlameTree): Uint8Array {
  const first = encodeFlameTree(tree, FIRST_VIEW_SHARE);
  if (headerOf(new DataView(first.buffer)).nodes === tree.size) return first;
  const whole = encodeFlameTree(tree);
  const bytes = new Uint8Array(first.length + whole.length);
  bytes.set(first);
  bytes.set(whole, first.length);
  return bytes;
}

export interface FlameFile {
  /** The first view's tree. */
  first: FlameTree;
  /** The whole tree: read and decoded when asked for, so the first view can be drawn first. */
  whole(): Promise<FlameTree>;
}

/**
 * Reads a flame file as it streams in, as far as the first view's tree. Errors name
 * `source` (the file as the reader knows it), since the page shows them as they are.
 */
export async function readFlameFile(stream: ReadableStream<Uint8Array>, source = "flame file"): Promise<FlameFile> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let done = false;
  let buffer = new Uint8Array(0);
  // Reads until at least `n` bytes are in (fewer only at the end of the stream), then joins them.
  const fill = async (n: number) => {
    while (length < n && !done) {
      const chunk = await reader.read();
      if (chunk.done) done = true;
      else {
        chunks.push(chunk.value);
        length += chunk.value.length;
      }
    }
    if (buffer.length < length) {
      buffer = new Uint8Array(length);
      let at = 0;
      for (const chunk of chunks) {
        buffer.set(chunk, at);
        at += chunk.length;
      }
    }
  };
  const next = async (from: number): Promise<{tree: FlameTree; end: number}> => {
    await fill(from + HEADER);
    if (buffer.length < from + HEADER) throw new Error("truncated flame tree");
    const end = from + headerOf(new DataView(buffer.buffer, from)).length;
    await fill(end);
    return {tree: decodeFlameTree(buffer.slice(from, end).buffer), end};
  };
  const named = <T>(reading: Promise<T>) =>
    reading.catch((error: Error) => {
      throw new Error(`${source}: ${error.message}`);
    });
  const view = await named(next(0));
  let whole: Promise<FlameTree> | null = null;
  const readWhole = async () => {
    await fill(view.end + 1);
    return buffer.length > view.end ? (await next(view.end)).tree : view.tree;
  };
  return {first: view.tree, whole: () => (whole ??= named(readWhole()))};
}

export function decodeFlameTree(buffer: ArrayBuffer): FlameTree {
  const view = new DataView(buffer);
  if (buffer.byteLength < HEADER || view.getUint32(0, true) !== MAGIC) throw new Error("not a bpfbook flame tree");
  if (view.getUint32(4, true) !== VERSION) throw new Error(`flame tree version ${view.getUint32(4, true)}, expected ${VERSION}`);
  const {nodes: n, bodyLength, namesLength, fractional, length} = headerOf(view);
  if (buffer.byteLength !== length || n * 3 > bodyLength) throw new Error("truncated flame tree");
  const names = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, HEADER + bodyLength, namesLength))) as string[];
  const bytes = new Uint8Array(buffer, HEADER, bodyLength);
  const frame = new Int32Array(n);
  const parent = new Int32Array(n);
  const value = new Float64Array(n);
  const depth = new Int32Array(n);
  const last = new Int32Array(n + 1); // the latest node at each depth: a node's parent is the latest one above it
  const end = bytes.length;
  let at = 0;
  // Unsigned LEB128; the loop below takes one-byte numbers (most of them) without a call.
  const more = (first: number) => {
    let v = first & 0x7f;
    for (let scale = 0x80; ; scale *= 0x80) {
      if (at >= end) throw new Error("truncated flame tree");
      const b = bytes[at++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
    }
  };
  for (let i = 0; i < n; i++) {
    if (at + 3 > end) throw new Error("truncated flame tree");
    let b = bytes[at++];
    const d = b < 0x80 ? b : more(b);
    b = bytes[at++];
    const f = (b < 0x80 ? b : more(b)) - 1;
    if (!fractional) {
      b = bytes[at++];
      value[i] = b < 0x80 ? b : more(b);
    } else {
      if (at + 8 > end) throw new Error("truncated flame tree");
      value[i] = view.getFloat64(HEADER + at, true);
      at += 8;
    }
    if (i === 0 ? d !== 0 || f !== -1 : d === 0 || d > depth[i - 1] + 1 || f < 0 || f >= names.length) {
      throw new Error(`flame tree node ${i}: malformed`);
    }
    frame[i] = f;
    depth[i] = d;
    parent[i] = i === 0 ? -1 : last[d - 1];
    last[d] = i;
  }
  if (at !== end) throw new Error("flame tree: malformed node list");
  return layOut(names, frame, parent, value, depth);
}

/** Samples in stacks that have a frame matching `test`, each stack counted once; `test` runs once per distinct frame. */
export function matchedSamples(tree: FlameTree, test: (name: string) => boolean): number {
  const verdict = new Int8Array(tree.names.length); // 0 unknown, 1 match, 2 no match
  const matches = (f: number) => (verdict[f] ||= test(tree.names[f]) ? 1 : 2) === 1;
  let total = 0;
  const pending = [0];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node !== 0 && matches(tree.frame[node])) total += tree.value[node];
    else for (let c = tree.offset[node]; c < tree.offset[node + 1]; c++) pending.push(tree.children[c]);
  }
  return total;
}

/** A node's call path (frame names joined by NUL), the key for comparing two profiles. */
export function pathOf(tree: FlameTree, node: number): string {
  let path = "";
  for (let n = node; n > 0; n = tree.parent[n]) path = "\u0000" + tree.names[tree.frame[n]] + path;
  return path;
}

/** Share of samples per call path, for differential colouring against a baseline. */
export function pathShares(tree: FlameTree): Map<string, number> {
  const paths: string[] = [""];
  const shares = new Map<string, number>();
  for (let i = 1; i < tree.size; i++) {
    paths[i] = paths[tree.parent[i]] + "\u0000" + tree.names[tree.frame[i]];
    shares.set(paths[i], tree.value[i] / tree.total);
  }
  return shares;
}

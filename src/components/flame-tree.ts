// The call tree behind the flame graph, in typed arrays: a 100k-stack profile makes half a
// million nodes, which as objects and Maps cost seconds of allocation and GC. Node 0 is
// the root; a node's id is always above its parent's, so one ascending pass lays it out.

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
  let depth = new Int32Array(capacity);
  let value = new Float64Array(capacity);
  const grow = () => {
    capacity *= 2;
    const copy = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    [frame, parent, depth, value] = [copy(frame), copy(parent), copy(depth), copy(value)];
  };
  frame[0] = -1;
  parent[0] = -1;
  let size = 1;
  let maxDepth = 0;
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
        depth[next] = depth[node] + 1;
        if (depth[next] > maxDepth) maxDepth = depth[next];
        slots[slot] = next;
        if (size * 2 > slots.length) rehash();
      }
      value[next] += samples;
      node = next;
    }
  }
  // Children lists (CSR), each sorted widest first.
  const offset = new Int32Array(size + 1);
  for (let i = 1; i < size; i++) offset[parent[i] + 1]++;
  for (let i = 0; i < size; i++) offset[i + 1] += offset[i];
  const children = new Int32Array(Math.max(size - 1, 0));
  const fill = offset.slice(0, size);
  for (let i = 1; i < size; i++) children[fill[parent[i]]++] = i;
  for (let i = 0; i < size; i++) {
    if (offset[i + 1] - offset[i] > 1) children.subarray(offset[i], offset[i + 1]).sort((a, b) => value[b] - value[a]);
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
  return {size, maxDepth, total, names, frame: frame.subarray(0, size), parent: parent.subarray(0, size), depth: depth.subarray(0, size), value: value.subarray(0, size), x0, offset, children};
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

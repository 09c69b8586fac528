// The flame graph's call tree: the typed-array build must give every call path the samples
// a plain count over the stacks gives, lay children out widest first, and count a search
// match once per stack.
import assert from "node:assert/strict";
import {test} from "node:test";
import {FIRST_VIEW_SHARE, buildFlameTree, decodeFlameTree, encodeFlameFile, encodeFlameTree, matchedSamples, nameOf, pathOf, profileOf, readFlameFile} from "../loaders/findings/flame-tree.js";

function randomStacks(n: number, seed: number) {
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({length: n}, () => ({
    frames: Array.from({length: 1 + Math.floor(random() * 8)}, () => `f${Math.floor(random() * 6)}`),
    samples: 1 + Math.floor(random() * 9)
  }));
}

test("every call path holds the samples of the stacks through it (5,000 random stacks, deep enough to rehash)", () => {
  const stacks = randomStacks(5000, 42);
  const tree = buildFlameTree(profileOf(stacks));
  const expected = new Map<string, number>();
  for (const {frames, samples} of stacks) {
    for (let d = 1; d <= frames.length; d++) {
      const path = frames.slice(0, d).map((f) => "\u0000" + f).join("");
      expected.set(path, (expected.get(path) ?? 0) + samples);
    }
  }
  assert.equal(tree.size - 1, expected.size, "one node per distinct path");
  for (let node = 1; node < tree.size; node++) assert.equal(tree.value[node], expected.get(pathOf(tree, node)), pathOf(tree, node));
  assert.equal(tree.total, stacks.reduce((n, s) => n + s.samples, 0));
  assert.equal(tree.maxDepth, Math.max(...stacks.map((s) => s.frames.length)));
});

test("children are laid out left to right, widest first, spanning their parent", () => {
  const tree = buildFlameTree(profileOf([
    {frames: ["main", "a"], samples: 1},
    {frames: ["main", "b"], samples: 3},
    {frames: ["main"], samples: 1},
    {frames: ["idle"], samples: 6}
  ]));
  const kids = (node: number) => Array.from(tree.children.subarray(tree.offset[node], tree.offset[node + 1]));
  assert.deepEqual(kids(0).map((n) => nameOf(tree, n)), ["idle", "main"]);
  const main = kids(0).find((n) => nameOf(tree, n) === "main")!;
  assert.deepEqual(kids(main).map((n) => nameOf(tree, n)), ["b", "a"]);
  assert.deepEqual(kids(main).map((n) => tree.x0[n]), [tree.x0[main], tree.x0[main] + 3 / 11]);
  assert.equal(tree.x0[main], 6 / 11);
  assert.equal(nameOf(tree, 0), "all");
});

test("a search counts each stack once, however many of its frames match", () => {
  const tree = buildFlameTree(profileOf([
    {frames: ["blake3::a", "blake3::b"], samples: 4},
    {frames: ["main", "blake3::b"], samples: 2},
    {frames: ["main"], samples: 7}
  ]));
  assert.equal(matchedSamples(tree, (n) => n.startsWith("blake3::")), 6);
  assert.equal(matchedSamples(tree, (n) => n === "nothing"), 0);
});

test("the binary tree the build ships reads back as the same tree; damaged bytes are refused", () => {
  const stacks = [...randomStacks(3000, 7), {frames: ["<script>\u202e", "日本語;x", "\u0001"], samples: 2 ** 40}];
  const tree = buildFlameTree(profileOf(stacks));
  const bytes = encodeFlameTree(tree);
  const copy = decodeFlameTree(bytes.slice().buffer);
  for (const key of ["size", "maxDepth", "total"] as const) assert.deepEqual(copy[key], tree[key], key);
  assert.deepEqual([...copy.names].sort(), [...tree.names].sort());
  // Nodes are renumbered depth first; each call path keeps its samples, depth and left edge,
  // and every children list stays widest first.
  const byPath = (t: typeof tree) => new Map(Array.from({length: t.size}, (_, n) => [pathOf(t, n), [t.value[n], t.depth[n], t.x0[n]]]));
  assert.deepEqual(byPath(copy), byPath(tree));
  const nodeOf = new Map(Array.from({length: tree.size}, (_, n) => [pathOf(tree, n), n]));
  const kids = (t: typeof tree, n: number) => Array.from(t.children.subarray(t.offset[n], t.offset[n + 1]), (k) => pathOf(t, k));
  for (let n = 0; n < copy.size; n++) assert.deepEqual(kids(copy, n), kids(tree, nodeOf.get(pathOf(copy, n))!));
  assert.throws(() => decodeFlameTree(bytes.slice(0, bytes.length - 1).buffer), /truncated/);
  const bad = bytes.slice();
  bad[24] = 5; // the root at depth 5
  assert.throws(() => decodeFlameTree(bad.buffer), /node 0: malformed/);
  const fractional = buildFlameTree(profileOf([{frames: ["a", "b"], samples: 0.5}, {frames: ["a"], samples: 1e300}]));
  assert.deepEqual(Array.from(decodeFlameTree(encodeFlameTree(fractional).slice().buffer).value), Array.from(fractional.value));
  assert.throws(() => decodeFlameTree(new TextEncoder().encode("{\"frames\": []}").buffer), /not a bpfbook flame tree/);
});

/** The bytes as a stream of small chunks, as a network would deliver them. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(at, (at += size)));
    }
  });
}

test("the flame file gives the first view's tree, every node of it wide enough, then the whole tree", async () => {
  // One heavy stack and many light ones: most light nodes are under the first view's share.
  const light = randomStacks(20_000, 3).map((s, i) => ({frames: [...s.frames, `leaf${i}`], samples: s.samples}));
  const stacks = [{frames: ["main", "work", "hot"], samples: 100_000}, ...light];
  const tree = buildFlameTree(profileOf(stacks));
  const file = await readFlameFile(chunked(encodeFlameFile(tree), 1000));
  const {first} = file;
  const whole = await file.whole();
  assert.ok(first.size < tree.size / 2, `the first view is smaller: ${first.size} of ${tree.size} nodes`);
  const full = new Map(Array.from({length: tree.size}, (_, n) => [pathOf(tree, n), tree.value[n]]));
  for (let n = 0; n < first.size; n++) {
    assert.equal(first.value[n], full.get(pathOf(first, n)), "a drawn node holds all its samples");
    assert.ok(first.value[n] >= FIRST_VIEW_SHARE * tree.total);
  }
  const wide = Array.from(full.values()).filter((v) => v >= FIRST_VIEW_SHARE * tree.total).length;
  assert.equal(first.size, wide, "every node wide enough is in the first view");
  assert.deepEqual(new Map(Array.from({length: whole.size}, (_, n) => [pathOf(whole, n), whole.value[n]])), full);
});

test("a small profile's flame file is one tree, read whole at once", async () => {
  const tree = buildFlameTree(profileOf(randomStacks(50, 9)));
  const bytes = encodeFlameFile(tree);
  assert.equal(bytes.length, encodeFlameTree(tree).length);
  const file = await readFlameFile(chunked(bytes, 7));
  assert.equal(await file.whole(), file.first);
  assert.equal(file.first.size, tree.size);
  await assert.rejects(readFlameFile(chunked(bytes.slice(0, 30), 7), "qfc/flame.bin"), /^Error: qfc\/flame\.bin: truncated flame tree$/);
});

test("a flame file damaged past its first view fails when the whole tree is read, naming the file", async () => {
  const tree = buildFlameTree(profileOf(randomStacks(3000, 5)));
  const bytes = encodeFlameFile(tree);
  const file = await readFlameFile(chunked(bytes.slice(0, bytes.length - 5), 1000), "b/flame.bin");
  assert.ok(file.first.size < tree.size, "the first view was readable");
  await assert.rejects(file.whole(), /^Error: b\/flame\.bin: truncated flame tree$/);
});

// The flame graph's call tree: the typed-array build must give every call path the samples
// a plain count over the stacks gives, lay children out widest first, and count a search
// match once per stack.
import assert from "node:assert/strict";
import {test} from "node:test";
import {buildFlameTree, matchedSamples, nameOf, pathOf, profileOf} from "../src/components/flame-tree.js";

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

// The compare page's sentences (loaders/findings/changes.ts): computed from the two sides'
// findings, verdict changes first, each number from the metrics.
import assert from "node:assert/strict";
import {test} from "node:test";
import {builtinFindings, findingChanges} from "../loaders/findings/index.js";
import {finding} from "./helpers.js";

const disk = (ios: number, lo: number, hi: number, verdict = "SSD or virtual disk") =>
  finding("disk.latency", {verdict, metrics: {ios, p99_lo_us: lo, p99_hi_us: hi}, headline: `p99 ${lo}`});

test("a percentile that moved is said with its ratio and buckets; verdict changes come first", () => {
  const a = [finding("durability.fsync", {verdict: "target fsyncs"}), disk(5000, 512, 1024)];
  const b = [finding("durability.fsync", {verdict: "target never fsyncs", severity: "critical"}), disk(5000, 8192, 16384)];
  const [first, second] = findingChanges(a, b, builtinFindings);
  assert.equal(first.id, "durability.fsync");
  assert.equal(first.kind, "verdict");
  assert.equal(first.sentence, "Verdict changed: target fsyncs → target never fsyncs (info → critical).");
  assert.equal(second.kind, "measure");
  assert.match(second.sentence, /^Same verdict \(SSD or virtual disk\), but: B's p99 is 16× A's: 8–16 ms against 512 µs–1 ms\.$/);
  // Other numbers, other sentence: a quarter of A's, and the verdict change names both.
  const [down] = findingChanges([disk(5000, 8192, 16384, "network block storage")], [disk(5000, 2048, 4096)], builtinFindings);
  assert.equal(down.kind, "verdict");
  assert.match(down.sentence, /B's p99 is 1\/4 of A's: 2–4 ms against 8–16 ms\.$/);
});

test("same bucket, few events, shares within noise, missing or inconclusive sides", () => {
  assert.equal(findingChanges([disk(5000, 512, 1024)], [disk(5000, 512, 1024)], builtinFindings)[0].kind, "same");
  assert.doesNotMatch(findingChanges([disk(50, 512, 1024)], [disk(50, 8192, 16384)], builtinFindings)[0].sentence, /16×/, "50 I/Os: no percentile compared");
  const cpu = (share: number, ci: number[]) => finding("cpu.hotspots", {metrics: {hash_share: share, hash_share_ci95: ci}});
  const [noise] = findingChanges([cpu(0.2, [0.18, 0.22])], [cpu(0.21, [0.19, 0.23])], builtinFindings);
  assert.equal(noise.kind, "same");
  assert.match(noise.sentence, /B's hash share is 21\.0% against A's 20\.0% \(within sampling noise\)/);
  const [grew] = findingChanges([cpu(0.2, [0.18, 0.22])], [cpu(0.47, [0.45, 0.49])], builtinFindings);
  assert.equal(grew.kind, "measure");
  const changes = findingChanges([finding("x.a")], [finding("x.b"), finding("x.c", {conclusive: false, verdict: "cannot tell: no capture"})]);
  assert.deepEqual(changes.map((c) => [c.id, c.kind]), [["x.b", "added"], ["x.c", "added"], ["x.a", "removed"]]);
  const [inconclusive] = findingChanges([finding("x.c")], [finding("x.c", {conclusive: false, verdict: "cannot tell: no capture"})]);
  assert.equal(inconclusive.sentence, "No comparison: B cannot tell (cannot tell: no capture); A: v.");
});

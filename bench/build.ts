// Build time for 1, 10, 50… bundles (copies of the embedded capture under new ids): cold,
// again unchanged, and again with one bundle changed, and what dist/ weighs per bundle. The
// unchanged rebuild must convert nothing: conversions are cached by the hash of each
// bundle's files.
import {cpSync, mkdirSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";
import {conversionsIn} from "../loaders/cache.js";
import {build, sizeOf} from "./site.js";

export interface BuildRow {
  bundles: number;
  coldSeconds: number;
  unchangedSeconds: number;
  convertedOnRebuild: number;
  /** A rebuild after one bundle's capture changed: it alone is converted and rendered. */
  oneChangedSeconds: number;
  distMB: number;
  perBundleMB: number;
  sharedMB: number;
}

const EMBEDDED = join("data", "captures", "demo-fsync");
/** What one bundle becomes for the "one changed" rebuild: the other embedded capture. */
const OTHER = join("data", "captures", "demo-nofsync");

export function benchBuild(work: string, counts: number[], log: (s: string) => void): BuildRow[] {
  return counts.map((n) => {
    const captures = join(work, `captures-${n}`);
    const cache = join(work, `cache-${n}`);
    const dist = join(work, `dist-${n}`);
    for (const dir of [captures, cache, dist]) rmSync(dir, {recursive: true, force: true});
    for (let i = 0; i < n; i++) cpSync(EMBEDDED, join(captures, `validator-${String(i).padStart(2, "0")}`), {recursive: true});
    mkdirSync(cache, {recursive: true});
    log(`building ${n} bundle(s), cold…`);
    const coldSeconds = build(captures, dist, cache);
    const cached = conversionsIn(cache).length;
    log(`building ${n} bundle(s) again, unchanged…`);
    const unchangedSeconds = build(captures, dist, cache);
    const convertedOnRebuild = conversionsIn(cache).length - cached;
    const distBytes = sizeOf(dist);
    log(`building ${n} bundle(s) again, one changed…`);
    const changed = join(captures, "validator-00");
    rmSync(changed, {recursive: true});
    cpSync(OTHER, changed, {recursive: true});
    const oneChangedSeconds = build(captures, dist, cache);
    // A bundle's pages and findings.json, plus its loader outputs (tables, profile) under _file/.
    const bundleBytes = readdirSync(join(dist, "captures"), {withFileTypes: true})
      .filter((d) => d.isDirectory())
      .map((d) => sizeOf(join(dist, "captures", d.name)) + sizeOf(join(dist, "_file", "captures", d.name)));
    const perBundle = bundleBytes.reduce((a, b) => a + b, 0) / bundleBytes.length;
    rmSync(captures, {recursive: true, force: true});
    return {
      bundles: n,
      coldSeconds,
      unchangedSeconds,
      convertedOnRebuild,
      oneChangedSeconds,
      distMB: distBytes / 1e6,
      perBundleMB: perBundle / 1e6,
      sharedMB: (distBytes - perBundle * bundleBytes.length) / 1e6
    };
  });
}

// `npm run build`: the static site in dist/ (or BPFBOOK_DIST) for the bundles in
// BPFBOOK_CAPTURES, after bringing in the declared sources (if any); the pages fetch
// nothing from outside. --strict: exit 1 if a bundle is
// broken; --quiet: no progress.
import {spawnSync} from "node:child_process";
import {renameSync, rmSync} from "node:fs";
import {join} from "node:path";
import {capturesDir, siteBundles} from "../loaders/bundle.js";
import {bundleHash} from "../loaders/cache.js";
import {progress} from "../loaders/progress.js";
import {printable} from "../loaders/text.js";
import {writeFindingsJson} from "./findings-json.js";
import {precomputeBundles, writeSiteOutputs} from "./precompute.js";
import {clearCaptureOutputs} from "./loader-outputs.js";
import {carryOver, planPages} from "./page-reuse.js";
import {writeFavicon} from "./favicon.js";
import {buildPages} from "./framework-build.js";
import {bringSources} from "./sources.js";

const quiet = process.argv.includes("--quiet");
const started = performance.now();
/** Where the time went, on stderr: "bpfbook build: <step> done at <s> s". */
const mark = (step: string) => quiet || console.error(`bpfbook build: ${step} done at ${((performance.now() - started) / 1000).toFixed(1)} s`);

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {stdio: "inherit"});
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run("tsx", ["scripts/fill-npm-cache.ts", "--check"]);
run("tsx", ["scripts/bundle-findings.ts"]);
mark("npm cache check and findings bundle");
// Declared sources (BPFBOOK_SOURCES or bpfbook.sources.json) come in first; one that fails
// is named and left out, the others build.
const unfetched = await bringSources((line) => quiet || console.error(line));
mark("declared sources");
// Outputs of bundles whose content or code changed go; the others are kept as they are.
clearCaptureOutputs();
// Every bundle's page data, made ahead of Framework in one process per core (BPFBOOK_JOBS
// to change). A broken bundle is named and left out; the others still build (--strict:
// exit 1 after). Converting many bundles takes minutes: progress on stderr, --quiet silences.
const jobs = Number(process.env.BPFBOOK_JOBS) || undefined;
const broken = {...unfetched, ...(await precomputeBundles({jobs, exclude: Object.keys(unfetched), progress: progress({silent: quiet, unit: "items"})}))};
mark("bundles' page data");
for (const [id, reason] of Object.entries(broken)) console.error(`bpfbook build: bundle ${printable(id)} not built: ${reason}`);
process.env.BPFBOOK_FAILED = JSON.stringify(broken);
const site = await writeSiteOutputs();
mark("site-wide page data");
const dist = process.env.BPFBOOK_DIST || "dist";
// Bundles unchanged since the last build keep their pages (past a dozen bundles), and a
// build where nothing changed keeps the whole site (scripts/page-reuse.ts); Framework
// renders the rest.
const captures = capturesDir();
const plan = planPages(dist, Object.fromEntries(siteBundles(captures).map((id) => [id, bundleHash(join(captures, id))])), site);
if (plan.unchanged) {
  mark(`nothing changed since the last build: its site kept (${plan.reuse.length} bundle(s))`);
} else {
  // Framework clears only an output folder inside the project; one elsewhere would keep
  // the last build's files and fail on the first clash.
  rmSync(dist, {recursive: true, force: true});
  // Past a dozen bundles, bundle pages are filled from one template (scripts/framework-build.ts).
  const status = await buildPages(dist, plan.render, siteBundles(captures), {quiet});
  if (status !== 0) {
    // The last site stays as it was.
    if (plan.previous) {
      rmSync(dist, {recursive: true, force: true});
      renameSync(plan.previous, dist);
    }
    process.exit(status);
  }
  carryOver(plan, dist);
  writeFavicon(dist);
  mark(plan.render ? `Framework's pages (${plan.render.length} bundle(s) rendered, ${plan.reuse.length} kept from the last build)` : "Framework's pages");
  run("tsx", ["scripts/prune-dist.ts"]);
  // findings.json per bundle, from the same findings code the pages run, for CI gates.
  // Kept bundles keep theirs: the findings code is part of what a kept page was made with.
  await writeFindingsJson(dist, plan.reuse);
  mark("findings.json");
}
const failed = Object.keys(broken).length;
if (failed > 0) {
  console.error(`bpfbook build: built without ${failed} broken bundle(s): ${Object.keys(broken).map(printable).join(", ")} (listed on the home page)`);
  if (process.argv.includes("--strict")) process.exitCode = 1;
}

// `npm run build`: the static site in dist/ (or BPFBOOK_DIST) for the bundles in
// BPFBOOK_CAPTURES, with nothing fetched from outside.
import {spawnSync} from "node:child_process";
import {rmSync} from "node:fs";
import {writeFindingsJson} from "./findings-json.js";
import {clearCaptureOutputs} from "./loader-outputs.js";

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {stdio: "inherit"});
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run("tsx", ["scripts/fill-npm-cache.ts", "--check"]);
run("tsx", ["scripts/bundle-findings.ts"]);
clearCaptureOutputs();
// Framework clears only an output folder inside the project; one elsewhere would keep
// the last build's files and fail on the first clash.
rmSync(process.env.BPFBOOK_DIST || "dist", {recursive: true, force: true});
run("observable", ["build"]);
run("tsx", ["scripts/prune-dist.ts"]);
// findings.json per bundle, from the same findings code the pages run, for CI gates.
await writeFindingsJson(process.env.BPFBOOK_DIST || "dist");

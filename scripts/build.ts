// `npm run build`: the static site in dist/ (or BPFBOOK_DIST) for the bundles in
// BPFBOOK_CAPTURES, with nothing fetched from outside.
import {spawnSync} from "node:child_process";
import {rmSync} from "node:fs";
import {join} from "node:path";

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {stdio: "inherit"});
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run("tsx", ["scripts/fill-npm-cache.ts", "--check"]);
run("tsx", ["scripts/bundle-findings.ts"]);
// Framework keeps a loader's output until the loader's source changes; a capture folder
// can change under it (or BPFBOOK_CAPTURES point elsewhere), so start from no outputs.
// Conversions themselves stay cached by content (loaders/cache.ts), so this is cheap.
const loaderCache = join("src", ".observablehq", "cache");
rmSync(join(loaderCache, "captures"), {recursive: true, force: true});
rmSync(join(loaderCache, "bundles.json"), {force: true});
run("observable", ["build"]);
run("tsx", ["scripts/prune-dist.ts"]);

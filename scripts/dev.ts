// `npm run dev`: Framework preview on 127.0.0.1 with live reload, extended to captures.
//
// Framework reruns a data loader only when the loader's own source changes, and re-reads
// the config (our list of bundles) only when the config file changes. So when anything
// under the captures folder changes we touch the loaders that read captures (their bytes
// stay the same) and, when bundles come or go, the config: the open pages then reload with
// freshly converted tables. Edits to the findings (loaders/findings, loaders/evidence, the
// analyst's folder) re-bundle them for the browser and touch the loaders, so findings.json,
// the home and compare pages are computed again with them.
import {spawn} from "node:child_process";
import {existsSync, readdirSync, utimesSync, watch} from "node:fs";
import {join} from "node:path";
import {build} from "esbuild";
import {capturesDir, listBundles} from "../loaders/bundle.js";
import {userFindingsDir} from "../loaders/findings/user.js";
import {findingsBuildOptions} from "./findings-build.js";
import {clearCaptureOutputs} from "./loader-outputs.js";
import {bringSources} from "./sources.js";

const captures = capturesDir();
// Declared sources come in once, at start (a capture source records for its duration);
// restart to fetch again. Those that failed are left out of the site, named on the home page.
process.env.BPFBOOK_FAILED = JSON.stringify(await bringSources((line) => console.log(line)));
clearCaptureOutputs();
const tableLoaders = () => readdirSync(join("src", "captures", "[bundle]")).filter((f) => /\.(parquet|json)\.ts$/.test(f)).map((f) => join("src", "captures", "[bundle]", f));
const touch = (path: string) => {
  const now = new Date();
  utimesSync(path, now, now);
};

const touchLoaders = () => {
  for (const loader of [...tableLoaders(), join("src", "bundles.json.ts"), join("src", "compare.json.ts")]) touch(loader);
};

/** Calls `then` once changes have settled for 300 ms. */
function settled(then: () => Promise<void> | void): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => void then(), 300);
  };
}

// The findings bundle, now and on every change. A fresh build each time (not an esbuild
// watch): the analyst's folder may gain or lose files, and the entry lists them.
async function bundleFindings(): Promise<boolean> {
  try {
    await build(findingsBuildOptions("scripts/dev.ts"));
    return true;
  } catch (error) {
    console.error(`bpfbook: findings not rebuilt: ${(error as Error).message}`);
    return false;
  }
}
await bundleFindings();

let bundles = listBundles(captures).join("\n");
const capturesChanged = settled(() => {
  touchLoaders();
  const now = listBundles(captures).join("\n");
  if (now !== bundles) {
    bundles = now;
    touch("observablehq.config.ts");
  }
  console.log(`bpfbook: captures changed under ${captures}; pages will reload`);
});
const findingsChanged = settled(async () => {
  if (!(await bundleFindings())) return;
  touchLoaders();
  console.log("bpfbook: findings changed; pages will reload");
});

if (existsSync(captures)) watch(captures, {recursive: true}, capturesChanged);
else console.warn(`bpfbook: ${captures} does not exist; create it and restart to watch captures`);
for (const dir of [join("loaders", "findings"), join("loaders", "evidence"), userFindingsDir()]) {
  if (existsSync(dir)) watch(dir, {recursive: true}, findingsChanged);
  else console.warn(`bpfbook: ${dir} does not exist; create it and restart to watch your findings`);
}

const preview = spawn("observable", ["preview", "--host", "127.0.0.1", ...process.argv.slice(2)], {stdio: "inherit"});
const stop = () => preview.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
preview.on("exit", (code) => process.exit(code ?? 0));

// `npm run dev`: Framework preview on 127.0.0.1 with live reload, extended to captures.
//
// Framework reruns a data loader only when the loader's own source changes, and re-reads
// the config (our list of bundles) only when the config file changes. So when anything
// under the captures folder changes we touch the loaders that read captures (their bytes
// stay the same) and, when bundles come or go, the config: the open pages then reload with
// freshly converted tables. Edits to loaders/findings are re-bundled for the browser.
import {spawn} from "node:child_process";
import {existsSync, readdirSync, utimesSync, watch} from "node:fs";
import {join} from "node:path";
import {context} from "esbuild";
import {capturesDir, listBundles} from "../loaders/bundle.js";
import {findingsBuildOptions} from "./findings-build.js";
import {clearCaptureOutputs} from "./loader-outputs.js";

const captures = capturesDir();
clearCaptureOutputs();
const tableLoaders = () => readdirSync(join("src", "captures", "[bundle]")).filter((f) => /\.(parquet|json)\.ts$/.test(f)).map((f) => join("src", "captures", "[bundle]", f));
const touch = (path: string) => {
  const now = new Date();
  utimesSync(path, now, now);
};

// Bundle the findings library now and again on every change to it.
const findings = await context(findingsBuildOptions("scripts/dev.ts"));
await findings.watch();

let bundles = listBundles(captures).join("\n");
let timer: NodeJS.Timeout | undefined;
function capturesChanged(): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    for (const loader of [...tableLoaders(), join("src", "bundles.json.ts"), join("src", "compare.json.ts")]) touch(loader);
    const now = listBundles(captures).join("\n");
    if (now !== bundles) {
      bundles = now;
      touch("observablehq.config.ts");
    }
    console.log(`bpfbook: captures changed under ${captures}; pages will reload`);
  }, 300);
}

if (existsSync(captures)) watch(captures, {recursive: true}, capturesChanged);
else console.warn(`bpfbook: ${captures} does not exist; create it and restart to watch captures`);

const preview = spawn("observable", ["preview", "--host", "127.0.0.1", ...process.argv.slice(2)], {stdio: "inherit"});
const stop = () => {
  preview.kill("SIGINT");
  void findings.dispose();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
preview.on("exit", (code) => process.exit(code ?? 0));

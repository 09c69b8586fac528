// `npm run bench`: convert throughput and memory, page speed, build time and size.
// Prints markdown tables (docs/performance.md holds a recorded run). Options:
//   --sizes 10,100,1000   input sizes in MB for the convert benchmark
//   --builds 1,10,50      bundle counts for the build benchmark
//   --runs 3              page loads per bundle (the median is reported)
//   --samples 1000000     timed samples for the range-selection benchmark
//   --fleet 200,500       bundle counts for the home page's matrix
//   --hosts 500           bundles for the end-to-end fleet run (build, export, fleet queries)
//   --only convert|pages|range|home|build|fleet
import {mkdtempSync, rmSync} from "node:fs";
import {cpus, totalmem, tmpdir} from "node:os";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {benchBuild} from "./build.js";
import {benchConvert} from "./convert.js";
import {benchFleet} from "./fleet.js";
import {benchHome} from "./home.js";
import {benchPages} from "./pages.js";
import {benchRange} from "./range.js";

const {values} = parseArgs({
  options: {
    sizes: {type: "string", default: "10,100,1000"},
    builds: {type: "string", default: "1,10,50"},
    runs: {type: "string", default: "3"},
    samples: {type: "string", default: "1000000"},
    fleet: {type: "string", default: "200,500"},
    hosts: {type: "string", default: "500"},
    only: {type: "string"}
  }
});
const list = (s: string) => s.split(",").map(Number).filter((n) => n > 0);
const wants = (part: string) => !values.only || values.only === part;
const log = (s: string) => console.error(`bench: ${s}`);
const f = (n: number | null, digits = 1) => (n === null ? "–" : n.toFixed(digits));

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const work = mkdtempSync(join(tmpdir(), "bpfbook-bench-"));
const out: string[] = [`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`];
try {
  if (wants("convert")) {
    const rows = await benchConvert(work, list(values.sizes!), log);
    out.push(
      "## Convert",
      table(
        ["format", "input MB", "lines", "seconds", "MB/s", "peak RSS MB", "÷ awk pass", "÷ classic pipeline"],
        rows.map((r) =>
          r.failed
            ? [r.format, r.mb, `failed: ${r.failed}`, "", "", "", "", ""]
            : [r.format, r.mb, r.lines.toLocaleString("en-US"), f(r.seconds, 2), f(r.mbPerSecond), f(r.rssMB, 0), f(r.seconds / r.awkSeconds), r.pipelineSeconds === null ? "–" : f(r.seconds / r.pipelineSeconds, 2)]
        )
      )
    );
  }
  if (wants("pages")) {
    const rows = await benchPages(work, Number(values.runs), log);
    out.push(
      "## Pages (headless Chromium, cold cache, median)",
      table(
        ["bundle", "first finding ms", "flame graph drawn ms", "whole tree ms", "draw ms", "zoom ms", "search ms"],
        rows.map((r) => [r.bundle, f(r.firstFindingMs, 0), f(r.flameDrawnMs, 0), f(r.wholeTreeMs, 0), f(r.drawMs, 0), f(r.zoomMs, 1), f(r.searchMs, 0)])
      )
    );
  }
  if (wants("range")) {
    const r = await benchRange(work, Number(values.samples), Number(values.runs), log);
    out.push(
      "## Time-range selection (On-CPU page, headless Chromium, median)",
      table(["timed samples", "seconds", "heat map drawn ms (from navigation)", "range selected → flame graph drawn ms"], [[r.samples.toLocaleString("en-US"), r.seconds, f(r.heatmapMs, 0), f(r.selectMs, 0)]])
    );
  }
  if (wants("home")) {
    const rows = await benchHome(work, list(values.fleet!), Number(values.runs), log);
    out.push(
      "## Home page matrix (headless Chromium, cold cache, median)",
      table(["bundles", "findings", "matrix drawn ms (from navigation)", "sort ms", "filter ms"], rows.map((r) => [r.bundles, r.findings, f(r.renderedMs, 0), f(r.sortMs, 1), f(r.filterMs, 1)]))
    );
  }
  if (wants("build")) {
    const rows = benchBuild(work, list(values.builds!), log);
    out.push(
      "## Build",
      table(
        ["bundles", "cold s", "unchanged s", "re-converted", "one changed s", "dist MB", "per bundle MB", "shared MB"],
        rows.map((r) => [r.bundles, f(r.coldSeconds), f(r.unchangedSeconds), r.convertedOnRebuild, f(r.oneChangedSeconds), f(r.distMB), f(r.perBundleMB, 2), f(r.sharedMB)])
      )
    );
  }
  if (values.only === "fleet") {
    // Not in the default run: 500 bundles take most of an hour end to end.
    const rows = [];
    for (const n of list(values.hosts!)) rows.push(await benchFleet(work, n, Number(values.runs), log));
    out.push(
      "## Fleet end to end",
      table(
        ["bundles", "cold build s", "unchanged s", "dist MB", "per bundle MB", "home matrix ms", "export s", "never fsync: ms (hosts)", "p99 by host: ms (hosts)"],
        rows.map((r) => [r.bundles, f(r.coldSeconds), f(r.unchangedSeconds), f(r.distMB), f(r.perBundleMB, 2), f(r.homeMs, 0), f(r.exportSeconds), `${f(r.neverFsyncMs, 0)} (${r.neverFsyncHosts})`, `${f(r.p99Ms, 0)} (${r.p99Hosts})`])
      )
    );
  }
  console.log(out.join("\n\n"));
} finally {
  rmSync(work, {recursive: true, force: true});
}

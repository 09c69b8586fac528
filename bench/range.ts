// The On-CPU page's time-range selection on a large timed profile, in headless Chromium:
// from the click that ends a range to its flame graph drawn (the range's samples summed
// per stack, the tree built, the canvas painted), and the heat map's first paint.
import {join} from "node:path";
import {build, median, openSite, timedSamplesBundle} from "./site.js";

export interface RangeRow {
  samples: number;
  seconds: number;
  heatmapMs: number;
  selectMs: number;
}

export async function benchRange(work: string, samples: number, runs: number, log: (s: string) => void): Promise<RangeRow> {
  const seconds = 100;
  const captures = join(work, "captures-range");
  log(`generating ${samples.toLocaleString("en-US")} timed samples over ${seconds} s…`);
  await timedSamplesBundle(join(captures, "timed"), samples, seconds);
  log("building the site for the range benchmark…");
  const dist = join(work, "dist-range");
  build(captures, dist, join(work, "cache-range"));
  const site = await openSite(dist);
  const {origin, browser} = site;
  const heatmap: number[] = [];
  const select: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      log(`range selection: run ${run + 1} of ${runs}`);
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript(`new MutationObserver(() => {
        if (!window.__heatmap && document.querySelector(".subsecond-heatmap canvas")) window.__heatmap = performance.now();
      }).observe(document, {subtree: true, childList: true});`);
      await page.goto(`${origin}/captures/timed/oncpu`);
      await page.waitForFunction(() => (window as any).__heatmap, null, {timeout: 300_000, polling: 50});
      heatmap.push(await page.evaluate(() => (window as any).__heatmap as number));
      await page.waitForLoadState("networkidle");
      // Seconds 20 to 70 (half the samples): the first click, then the timed second one.
      // A script as text: functions passed to evaluate() would carry tsx's helpers along.
      const ms = (await page.evaluate(`(async () => {
        const canvas = document.querySelector(".subsecond-heatmap canvas");
        const box = canvas.getBoundingClientRect();
        const cell = box.width / ${seconds};
        const click = (column, y) => canvas.dispatchEvent(new MouseEvent("click", {clientX: box.left + (column + 0.5) * cell, clientY: box.top + y, bubbles: true}));
        click(${20 + run}, 1);
        const before = new Set(document.querySelectorAll(".flamegraph canvas"));
        const drawn = new Promise((resolve) => {
          const check = () => {
            const fresh = [...document.querySelectorAll(".flamegraph canvas[data-draw-ms]")].find((c) => !before.has(c));
            if (fresh) resolve(performance.now());
            else requestAnimationFrame(check);
          };
          check();
        });
        const started = performance.now();
        click(${70 + run}, box.height - 20);
        return (await drawn) - started;
      })()`)) as number;
      select.push(ms);
      await context.close();
    }
  } finally {
    await site.close();
  }
  return {samples, seconds, heatmapMs: median(heatmap), selectMs: median(select)};
}

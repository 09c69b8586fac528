// Page speed in headless Chromium: navigation → first finding on the summary page,
// navigation → flame graph drawn, and the flame graph's zoom and search response.
import {spawnSync} from "node:child_process";
import {existsSync} from "node:fs";
import {join, resolve} from "node:path";
import {build, median, openSite, uniqueStacksBundle} from "./site.js";

export interface PageRow {
  bundle: string;
  firstFindingMs: number;
  flameDrawnMs: number;
  /** The whole call tree in place (the first view's tree is drawn first; see readFlameFile). */
  wholeTreeMs: number;
  drawMs: number;
  zoomMs: number;
  searchMs: number;
}

export const REFERENCE = resolve("..", "shared", "captures", "qfc-t1");

// Marks, in page time (ms since navigation), when the first finding and the drawn flame graph appear.
const MARKS = `
  new MutationObserver(() => {
    if (!window.__firstFinding && document.querySelector("[data-finding] .narrative")) window.__firstFinding = performance.now();
    if (!window.__flameDrawn && document.querySelector(".flamegraph canvas[data-draw-ms]")) window.__flameDrawn = performance.now();
    if (!window.__wholeTree && document.querySelector(".flamegraph[data-complete]")) window.__wholeTree = performance.now();
  }).observe(document, {subtree: true, childList: true, attributes: true});`;

export async function benchPages(work: string, runs: number, log: (s: string) => void): Promise<PageRow[]> {
  const captures = join(work, "captures");
  const bundles: [string, string][] = [];
  if (existsSync(REFERENCE)) {
    spawnSync("npm", ["run", "fetch", "--", REFERENCE, "--id", "qfc-t1"], {env: {...process.env, BPFBOOK_CAPTURES: captures}, stdio: "ignore"});
    bundles.push(["qfc-t1 (reference)", "qfc-t1"]);
  } else log(`no reference bundle at ${REFERENCE}: measuring the generated profile only`);
  await uniqueStacksBundle(join(captures, "stacks-100k"), 100_000);
  bundles.push(["100k unique stacks", "stacks-100k"]);
  log("building the site for the page benchmark…");
  const dist = join(work, "dist-pages");
  build(captures, dist, join(work, "cache-pages"));
  const site = await openSite(dist);
  const {origin, browser} = site;
  const rows: PageRow[] = [];
  try {
    for (const [label, id] of bundles) {
      const samples: Omit<PageRow, "bundle">[] = [];
      for (let run = 0; run < runs; run++) {
        log(`${label}: run ${run + 1} of ${runs}`);
        const context = await browser.newContext(); // a cold cache each run
        const page = await context.newPage();
        await page.addInitScript(MARKS);
        await page.goto(`${origin}/captures/${id}/`);
        await page.waitForFunction(() => (window as any).__firstFinding, null, {timeout: 120_000, polling: 20});
        const firstFindingMs = await page.evaluate(() => (window as any).__firstFinding as number);
        await page.goto(`${origin}/captures/${id}/oncpu`);
        await page.waitForFunction(() => (window as any).__flameDrawn, null, {timeout: 120_000, polling: 20});
        const flameDrawnMs = await page.evaluate(() => (window as any).__flameDrawn as number);
        // Zoom and search are timed on the whole tree.
        await page.waitForFunction(() => (window as any).__wholeTree, null, {timeout: 120_000, polling: 20});
        const wholeTreeMs = await page.evaluate(() => (window as any).__wholeTree as number);
        const canvas = page.locator(".flamegraph canvas");
        const drawMs = Number(await canvas.getAttribute("data-draw-ms"));
        // Zoom: a click on the second row, timed in the page around the handler.
        const zoomMs = await canvas.evaluate((c: HTMLCanvasElement) => {
          const box = c.getBoundingClientRect();
          const started = performance.now();
          c.dispatchEvent(new MouseEvent("click", {clientX: box.left + 100, clientY: box.top + 27, bubbles: true}));
          return performance.now() - started;
        });
        await page.locator(".flamegraph input").fill("blake3::");
        const searchMs = Number(await page.locator(".flamegraph-status").getAttribute("data-search-ms"));
        samples.push({firstFindingMs, flameDrawnMs, wholeTreeMs, drawMs, zoomMs, searchMs});
        await context.close();
      }
      const pick = (k: keyof Omit<PageRow, "bundle">) => median(samples.map((s) => s[k]));
      rows.push({bundle: label, firstFindingMs: pick("firstFindingMs"), flameDrawnMs: pick("flameDrawnMs"), wholeTreeMs: pick("wholeTreeMs"), drawMs: pick("drawMs"), zoomMs: pick("zoomMs"), searchMs: pick("searchMs")});
    }
  } finally {
    await site.close();
  }
  return rows;
}

// The home page's matrix at fleet size, in headless Chromium: navigation → every row in the
// matrix, then a sort and a filter keystroke. Building hundreds of real bundles takes most
// of an hour today (docs/performance.md, "Build"), so the site is built once with the
// embedded bundles and its bundles.json (the page's only data) is replaced by `bundles`
// entries made from theirs: real findings, renamed, with verdicts taken round-robin.
import {readFileSync, readdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {build, median, openSite} from "./site.js";

export interface HomeRow {
  bundles: number;
  findings: number;
  renderedMs: number;
  sortMs: number;
  filterMs: number;
}

export async function benchHome(work: string, sizes: number[], runs: number, log: (s: string) => void): Promise<HomeRow[]> {
  const dist = join(work, "dist-home");
  log("building the site for the home-page benchmark…");
  build(join("data", "captures"), dist, join(work, "cache-home"));
  const file = readdirSync(join(dist, "_file")).find((f) => /^bundles\.[0-9a-f]+\.json$/.test(f));
  if (!file) throw new Error("the build wrote no bundles.json");
  const path = join(dist, "_file", file);
  const real = JSON.parse(readFileSync(path, "utf8")) as {id: string; host: string | null; headlines: unknown[]}[];
  const site = await openSite(dist);
  const {origin, browser} = site;
  const rows: HomeRow[] = [];
  try {
    for (const size of sizes) {
      const fleet = Array.from({length: size}, (_, i) => {
        const b = real[i % real.length];
        return {...b, id: `host-${String(i + 1).padStart(4, "0")}-${b.id}`, host: `host-${i + 1}`};
      });
      writeFileSync(path, JSON.stringify(fleet));
      const samples: Omit<HomeRow, "bundles" | "findings">[] = [];
      for (let run = 0; run < runs; run++) {
        log(`home page, ${size} bundles: run ${run + 1} of ${runs}`);
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${origin}/`);
        // The matrix holds every bundle (the first rows laid out; the rest as it scrolls).
        await page.waitForFunction((n) => document.querySelector(".fleet")?.getAttribute("data-visible") === String(n) && document.querySelectorAll(".fleet-matrix tbody tr").length === Math.min(n, 100), size, {timeout: 120_000, polling: 20});
        const renderedMs = await page.evaluate(() => performance.now());
        const timed = (action: string) =>
          page.evaluate((a) => {
            const start = performance.now();
            if (a === "sort") (document.querySelector('.fleet-matrix th[data-key="durability.fsync"] button') as HTMLButtonElement).click();
            else {
              const input = document.querySelector(".fleet-filter") as HTMLInputElement;
              input.value = "nofsync";
              input.dispatchEvent(new Event("input"));
            }
            // Until the browser has laid out and painted the change.
            return new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0)));
          }, action);
        const sortMs = await timed("sort");
        // Scrolled to the end, the next rows are appended.
        await page.locator(".fleet-scroll").evaluate((e) => e.scrollTo(0, e.scrollHeight));
        await page.waitForFunction((n) => document.querySelectorAll(".fleet-matrix tbody tr").length === Math.min(n, 200), size);
        samples.push({renderedMs, sortMs, filterMs: await timed("filter")});
        await context.close();
      }
      rows.push({
        bundles: size,
        findings: real[0]?.headlines.length ?? 0,
        renderedMs: median(samples.map((s) => s.renderedMs)),
        sortMs: median(samples.map((s) => s.sortMs)),
        filterMs: median(samples.map((s) => s.filterMs))
      });
    }
  } finally {
    await site.close();
  }
  return rows;
}

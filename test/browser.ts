// Open built pages in headless Chromium (Debian's package, driven by playwright-core; no
// browser is ever downloaded) and collect everything that makes a page fail.
import {type Browser, type Page, chromium} from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
  });
}

export interface Visit {
  page: Page;
  failures: string[];
}

/**
 * Loads `origin + path` and waits for `ready`. A page fails on any console error, uncaught
 * exception, dialog (alert, confirm…), failed or 4xx/5xx request, request off the origin (aborted before it leaves),
 * or a Framework cell that rendered an error.
 */
export async function visit(browser: Browser, origin: string, path: string, {ready, timeout = 60_000, fresh = false}: {ready: string; timeout?: number; fresh?: boolean}): Promise<Visit> {
  // Pages share one browser cache, as a reader's tabs do; `fresh` starts with an empty one.
  const page = fresh ? await (await browser.newContext()).newPage() : await browser.newPage();
  const failures: string[] = [];
  const sameOrigin = (url: string) => url.startsWith(origin + "/") || url.startsWith(`blob:${origin}/`) || url.startsWith("data:");
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (sameOrigin(url)) return route.continue();
    failures.push(`request off the origin: ${url}`);
    return route.abort();
  });
  page.on("console", (m) => {
    if (m.type() === "error") failures.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => failures.push(`uncaught: ${e.message}`));
  page.on("dialog", (d) => {
    failures.push(`dialog opened: ${d.message()}`);
    void d.dismiss();
  });
  page.on("requestfailed", (r) => {
    if (sameOrigin(r.url())) failures.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) failures.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(origin + path);
  try {
    await page.locator(ready).first().waitFor({timeout});
    await page.waitForLoadState("networkidle", {timeout});
  } catch (error) {
    failures.push(`not ready (${ready}): ${(error as Error).message.split("\n")[0]}`);
  }
  for (const text of await page.locator(".observablehq--error").allInnerTexts()) failures.push(`cell error: ${text}`);
  return {page, failures};
}

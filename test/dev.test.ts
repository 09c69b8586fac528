// Live reload for analysts: with `npm run dev` running, editing a capture file refreshes
// the open page with numbers from the new file, with no restart and no manual reload.
import assert from "node:assert/strict";
import {type ChildProcess, spawn} from "node:child_process";
import {cpSync, readFileSync, writeFileSync} from "node:fs";
import {createServer} from "node:net";
import {join} from "node:path";
import {after, test} from "node:test";
import type {Browser} from "playwright-core";
import {launch, visit} from "./browser.js";
import {tempDir} from "./helpers.js";

let dev: ChildProcess | undefined;
let browser: Browser | undefined;
after(async () => {
  await browser?.close();
  if (dev?.pid) process.kill(-dev.pid, "SIGTERM");
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as {port: number}).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`dev server did not start at ${url}`);
}

test("npm run dev: editing a capture file updates the open page", async () => {
  const captures = tempDir("dev");
  cpSync(join("test", "fixtures", "hostile"), join(captures, "live"), {recursive: true});
  const port = await freePort();
  dev = spawn("npm", ["run", "dev", "--", "--port", String(port), "--no-open"], {
    env: {...process.env, BPFBOOK_CAPTURES: captures},
    stdio: "ignore",
    detached: true
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForServer(origin + "/");
  browser = await launch();
  const {page, failures} = await visit(browser, origin, "/captures/live/", {ready: "[data-finding] .narrative", timeout: 90_000});
  assert.deepEqual(failures.filter((f) => !/_observablehq\/preview|ws:/.test(f)), []);
  const narrative = page.locator('[data-finding="durability.fsync"] .narrative');
  assert.match(await narrative.innerText(), /called fsync\/fdatasync 5 times/);

  const file = join(captures, "live", "01-fsync-latency.txt");
  writeFileSync(file, readFileSync(file, "utf8").replace("@calls[<svg/onload=1>]: 5", "@calls[<svg/onload=1>]: 17"));
  await page.waitForFunction(
    () => /called fsync\/fdatasync 17 times/.test(document.querySelector('[data-finding="durability.fsync"] .narrative')?.textContent ?? ""),
    undefined,
    {timeout: 90_000}
  );
  await page.close();
});

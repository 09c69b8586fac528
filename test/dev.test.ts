// Live reload for analysts: with `npm run dev` running, editing a capture file, a page, a
// component, a built-in finding or dropping a finding into the analyst's folder refreshes
// the open page, with no restart and no manual reload. The server runs in a copy of the
// project, so the edits never touch this checkout.
import assert from "node:assert/strict";
import {type ChildProcess, spawn} from "node:child_process";
import {copyFileSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from "node:fs";
import {createServer} from "node:net";
import {join} from "node:path";
import {after, test} from "node:test";
import type {Browser} from "playwright-core";
import {launch, visit} from "./browser.js";
import {EXAMPLE_FINDING, tempDir} from "./helpers.js";

/** A copy of the project's sources (node_modules linked, Framework's npm cache copied) to edit under a running server. */
function projectCopy(): string {
  const root = tempDir("dev-project");
  for (const path of ["src", "loaders", "scripts", "observablehq.config.ts", "package.json", "tsconfig.json"]) {
    cpSync(path, join(root, path), {recursive: true, filter: (from) => !from.includes(join("src", ".observablehq"))});
  }
  mkdirSync(join(root, "src", ".observablehq", "cache"), {recursive: true});
  cpSync(join("src", ".observablehq", "cache", "_npm"), join(root, "src", ".observablehq", "cache", "_npm"), {recursive: true});
  symlinkSync(join(process.cwd(), "node_modules"), join(root, "node_modules"));
  return root;
}

const edit = (path: string, from: string, to: string) => {
  const text = readFileSync(path, "utf8");
  assert.ok(text.includes(from), `${path} holds ${from}`);
  writeFileSync(path, text.replace(from, to));
};

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

test("npm run dev: captures, pages, components and findings (built-in and the analyst's) reload the open page", async () => {
  const captures = tempDir("dev");
  cpSync(join("test", "fixtures", "hostile"), join(captures, "live"), {recursive: true});
  const project = projectCopy();
  const mine = tempDir("dev-findings");
  // A declared source (bpfbook.sources.json at the project root) is brought in as the server starts.
  const declared = tempDir("dev-declared");
  cpSync(join("data", "captures", "demo-nofsync"), join(declared, "bundle"), {recursive: true});
  writeFileSync(join(project, "bpfbook.sources.json"), JSON.stringify([{id: "declared", from: join(declared, "bundle")}]));
  const port = await freePort();
  dev = spawn("npm", ["run", "dev", "--", "--port", String(port), "--no-open"], {
    cwd: project,
    env: {...process.env, BPFBOOK_CAPTURES: captures, BPFBOOK_FINDINGS: mine},
    stdio: "ignore",
    detached: true
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForServer(origin + "/");
  assert.equal(JSON.parse(readFileSync(join(captures, "declared", "manifest.json"), "utf8")).source, join(declared, "bundle"));
  const listed = (await (await fetch(origin + "/_file/bundles.json")).json()) as {id: string}[];
  assert.ok(listed.some((b) => b.id === "declared"), "the declared bundle is on the home page");
  browser = await launch();
  const {page, failures} = await visit(browser, origin, "/captures/live/", {ready: "[data-finding] .narrative", timeout: 90_000});
  assert.deepEqual(failures.filter((f) => !/_observablehq\/preview|ws:/.test(f)), []);
  const narrative = page.locator('[data-finding="durability.fsync"] .narrative');
  assert.match(await narrative.innerText(), /called fsync\/fdatasync 5 times/);
  // After each reload, a moment before the next edit: Framework re-attaches its file watchers
  // once it has sent an update, and an edit inside that gap would go unseen.
  const shows = async (check: string) => {
    await page.waitForFunction(check, undefined, {timeout: 90_000});
    await page.waitForTimeout(2000);
  };

  // A capture file.
  const file = join(captures, "live", "01-fsync-latency.txt");
  edit(file, "@calls[<svg/onload=1>]: 5", "@calls[<svg/onload=1>]: 17");
  await shows(`/called fsync\\/fdatasync 17 times/.test(document.querySelector('[data-finding="durability.fsync"] .narrative')?.textContent ?? "")`);

  // The page's Markdown.
  edit(join(project, "src", "captures", "[bundle]", "index.md"), "## Data quality", "## Data quality, edited live");
  await shows(`[...document.querySelectorAll("h2")].some((h) => h.textContent.includes("edited live"))`);

  // A component the page imports.
  edit(join(project, "src", "components", "finding-card.ts"), `<div class="verdict">`, `<div class="verdict" data-live-edit="1">`);
  await shows(`document.querySelector("[data-finding] .verdict[data-live-edit]") !== null`);

  // A built-in finding: its title, as the build computes it (findings.json) and the browser does.
  edit(join(project, "loaders", "findings", "quality.ts"), `title: "Data quality: every line accounted for"`, `title: "Data quality, edited live"`);
  await shows(`document.querySelector('[data-finding="data.quality"] h3')?.textContent === "Data quality, edited live"`);

  // The analyst's example finding dropped into their folder.
  copyFileSync(EXAMPLE_FINDING, join(mine, "syscalls-busiest-thread.ts"));
  await shows(`document.querySelector('[data-finding="example.busiest_thread"] .narrative') !== null`);
  await page.close();
});

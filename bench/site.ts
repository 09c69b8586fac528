// Shared by the page and build benchmarks: make bundles, build a site, measure a folder.
import {spawnSync} from "node:child_process";
import {cpSync, mkdirSync, readdirSync, statSync} from "node:fs";
import {join} from "node:path";
import type {Browser} from "playwright-core";
import {serve} from "../scripts/serve.js";
import {launch} from "../test/browser.js";
import {folded, timedPerfScript} from "./generate.js";

/** `npm run build` over `captures` into `dist`, with its own conversion cache; seconds taken. */
export function build(captures: string, dist: string, cache: string): number {
  const start = performance.now();
  const result = spawnSync("npm", ["run", "build"], {
    env: {...process.env, BPFBOOK_CAPTURES: captures, BPFBOOK_DIST: dist, BPFBOOK_CACHE: cache},
    encoding: "utf8",
    maxBuffer: 256 << 20
  });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stderr.slice(-4000)}`);
  return (performance.now() - start) / 1000;
}

/** Bytes under a folder. */
export function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((n, name) => n + sizeOf(join(path, name)), 0);
}

/** A bundle whose on-CPU profile has `n` distinct stacks (the embedded capture's context). */
export async function uniqueStacksBundle(dir: string, n: number): Promise<void> {
  mkdirSync(dir, {recursive: true});
  cpSync(join("data", "captures", "demo-fsync", "00-context.txt"), join(dir, "00-context.txt"));
  // Lines run 180–700 bytes; generate well past n lines, since `unique` wraps at n.
  await folded(join(dir, "05-oncpu.folded"), n * 460, n);
}

/** A bundle whose perf script profile holds `samples` timed samples over `seconds`. */
export async function timedSamplesBundle(dir: string, samples: number, seconds: number): Promise<void> {
  mkdirSync(dir, {recursive: true});
  cpSync(join("data", "captures", "demo-fsync", "00-context.txt"), join(dir, "00-context.txt"));
  await timedPerfScript(join(dir, "05-oncpu.perf-script.txt"), samples, seconds);
}

/** The median of a few runs. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A built site served on loopback and a headless Chromium to load it; `close` ends both. */
export async function openSite(dist: string): Promise<{origin: string; browser: Browser; close(): Promise<void>}> {
  const server = await serve(dist);
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const browser = await launch();
  return {
    origin,
    browser,
    async close() {
      await browser.close();
      server.close();
    }
  };
}

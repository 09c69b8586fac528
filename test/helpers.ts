// Test helpers: run a parser over text and collect rows per table; locate the shared data.
import {spawn} from "node:child_process";
import {copyFileSync, existsSync, mkdtempSync} from "node:fs";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import type {TestContext} from "node:test";
import {stringLines} from "../loaders/lines.js";
import {Collector} from "../loaders/collect.js";
import type {RowSink} from "../loaders/model.js";
import type {ParseResult} from "../loaders/parse/common.js";
import type {Finding} from "../loaders/findings/types.js";

export {Collector};

export function parseText<P extends {push(l: import("../loaders/lines.js").Line): void; end(): ParseResult}>(
  make: (ref: {capture_id: string; file: string}, sink: RowSink) => P,
  text: string,
  file = "test.txt"
): {rows: Collector; result: ReturnType<P["end"]>} {
  const rows = new Collector();
  const parser = make({capture_id: "t", file}, rows);
  for (const line of stringLines(text)) parser.push(line);
  return {rows, result: parser.end() as ReturnType<P["end"]>};
}

export const REFERENCE = resolve("..", "shared", "captures", "qfc-t1");

/** Capture windows (seconds) of the reference bundle's files, as its SOURCE.md states them. */
export const REFERENCE_WINDOWS: Record<string, number> = {
  "01-fsync-latency.txt": 60,
  "02-bio-latency.txt": 60,
  "03-offcpu-qfcnode.txt": 30,
  "04-writepath-syscalls.txt": 25,
  "05-oncpu.folded": 20,
  "05-oncpu-report.txt": 20
};

/** The reference bundle, or a skip with the reason (never in CI, where ../shared is laid). */
export function reference(t: TestContext): string | null {
  if (existsSync(REFERENCE)) return REFERENCE;
  if (process.env.CI) throw new Error(`reference bundle missing at ${REFERENCE}; CI must have ../shared`);
  t.skip(`../shared/captures/qfc-t1 not found (a user's clone): skipping reference checks`);
  return null;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bpfbook-${prefix}-`));
}

/** Lines accounted for: each line read is exactly one of data, blank, tool or problem. */
export function reconciles(c: {lines: number; data_lines: number; blank_lines: number; tool_lines: number; problem_lines: number}): boolean {
  return c.lines === c.data_lines + c.blank_lines + c.tool_lines + c.problem_lines;
}

/** Runs the CLI in a child process without blocking this one (tests may serve https meanwhile). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{status: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["tsx", "loaders/cli.ts", ...args], {env: {...process.env, ...env}});
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({status, stdout, stderr}));
  });
}

/** Copies fixture files into a fresh bundle folder (optionally with a manifest), converts it and opens its tables and views. */
export async function fixtureBundle(files: Record<string, string>, manifest?: object) {
  const {copyFileSync, mkdirSync, writeFileSync} = await import("node:fs");
  const {convertToParquet} = await import("../loaders/convert.js");
  const {openTables} = await import("../loaders/findings/node.js");
  const dir = join(tempDir("fixture"), "bundle");
  mkdirSync(dir);
  for (const [name, from] of Object.entries(files)) copyFileSync(from, join(dir, name));
  if (manifest) writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  const out = join(dir, "..", "tables");
  const summary = await convertToParquet(dir, out);
  return {dir, summary, db: await openTables(out)};
}

/** The analyst's example finding (docs/analysis.md, "Your own findings"). */
export const EXAMPLE_FINDING = join("docs", "examples", "findings", "syscalls-busiest-thread.ts");

/** A new findings folder (BPFBOOK_FINDINGS) holding the documented example. */
export function exampleFolder(): string {
  const dir = tempDir("user-findings");
  copyFileSync(EXAMPLE_FINDING, join(dir, "syscalls-busiest-thread.ts"));
  return dir;
}

/** A finding with plain defaults and the given fields, for rules over findings (gate, compare). */
export const finding = (id: string, over: Partial<Finding> = {}): Finding => ({
  id,
  title: id,
  severity: "info",
  verdict: "v",
  narrative: "n",
  conclusive: true,
  metrics: {},
  headline: null,
  chart: null,
  sql: {q: "SELECT 1"},
  ...over
});

/**
 * Rows written with frame names (`frames`) as the tables hold them: `frame_ids` into a
 * frames dictionary, returned beside them (FRAME_NAMES' rows), ids in order of appearance.
 */
export function withFrameIds<R extends {frames: string[]}>(rows: R[]): {rows: (Omit<R, "frames"> & {frame_ids: number[]})[]; frames: {frame_id: number; name: string}[]} {
  const ids = new Map<string, number>();
  const id = (name: string) => ids.get(name) ?? ids.set(name, ids.size + 1).get(name)!;
  const out = rows.map(({frames, ...rest}) => ({...rest, frame_ids: frames.map(id)}));
  return {rows: out, frames: [...ids].map(([name, frame_id]) => ({frame_id, name}))};
}

/** `select` (rows of `stacks`, with frame_ids) with each stack's frames named instead: frame ids are an encoding, names the content. */
export async function namedStacks(query: (sql: string) => Promise<Record<string, unknown>[]>, select: string) {
  const {FRAME_NAMES, nameFrames} = await import("../loaders/findings/index.js");
  const rows = await query(select);
  return nameFrames(rows as import("../loaders/findings/index.js").QueryRow[], (await query(FRAME_NAMES)) as import("../loaders/findings/index.js").QueryRow[]).map(
    ({frame_ids: _ids, ...named}) => named
  );
}

// A capture bundle is a folder of capture files plus an optional manifest.json.
// This module lists bundles, says what each file is (kind: what it measures; format:
// how to parse it) and reads the manifest's per-file facts such as capture windows.

import {closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync} from "node:fs";
import {basename, join, resolve} from "node:path";
import {sniff as sniffBccHistogram} from "./parse/bcc-histogram.js";
import {sniff as sniffBccStacks} from "./parse/bcc-stacks.js";
import {sniff as sniffBpftraceJson} from "./parse/bpftrace-json.js";
import {sniff as sniffBpftraceText} from "./parse/bpftrace-text.js";
import type {Sniff} from "./parse/common.js";
import {sniff as sniffTable} from "./parse/event-table.js";
import {sniff as sniffFolded} from "./parse/folded.js";
import {sniff as sniffPerfScript} from "./parse/perf-script.js";

export type Format = "context" | "bpftrace-text" | "bpftrace-json" | "perf-script" | "folded" | "bcc-histogram" | "bcc-stacks" | "table" | "document";
export type Kind = string;

export interface ManifestFile {
  file: string;
  sha256?: string;
  bytes?: number;
  kind?: Kind;
  /** The program that ran (`bpftrace`, `perf`), as the capture runner records it. */
  tool?: string;
  /** The evidence source that wrote the file, where its content cannot tell (a `tool` of loaders/evidence/sources.ts). */
  source?: string;
  /** What the capture runner saw: `ok`, `failed`, `skipped`, `interrupted`, with why and the exit status. */
  status?: string;
  reason?: string;
  exit_status?: number | null;
  /** The file holding the tool's stderr, kept apart from its output. */
  stderr_file?: string | null;
  window_s?: number | null;
  /** Samples per second of an on-CPU profile. */
  sample_hz?: number | null;
}

export interface Manifest {
  id?: string;
  source?: string;
  /** Process or thread names of the target, for bundles without a context file (`--target`). */
  target?: string[];
  files?: ManifestFile[];
  [key: string]: unknown;
}

export interface BundleFile {
  file: string;
  path: string;
  kind: Kind;
  /** Set by the manifest; else recognized from the content while converting. */
  kindFromManifest: boolean;
  /** What the manifest says of this file (status, stderr file…), if it lists it. */
  listed: ManifestFile | null;
  tool: string | null;
  format: Format;
  window_s: number | null;
}

export interface Bundle {
  id: string;
  dir: string;
  manifest: Manifest | null;
  files: BundleFile[];
}

export const MANIFEST = "manifest.json";

/** The folder holding one sub-folder per bundle. */
export function capturesDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.BPFBOOK_CAPTURES || "data/captures");
}

/** Bundle ids (folder names) under the captures folder, sorted. */
export function listBundles(dir = capturesDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, {withFileTypes: true})
    .filter((d) => d.isDirectory() && isBundleId(d.name))
    .map((d) => d.name)
    .sort();
}

/**
 * Bundles the build found broken, id → reason, handed from scripts/build.ts to the
 * Framework build (config, loaders) in BPFBOOK_FAILED so the site leaves them out.
 */
export function failedBundles(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  try {
    const parsed = JSON.parse(env.BPFBOOK_FAILED || "{}");
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** The bundles the site shows: all of them but those the build found broken. */
export function siteBundles(dir = capturesDir()): string[] {
  const failed = failedBundles();
  return listBundles(dir).filter((id) => !(id in failed));
}

/**
 * Bundles listed in the sidebar, each with its pages, up to this many. Past it the sidebar
 * lists none (every page would carry a link to every page of every bundle: a fleet's pages
 * would grow with the fleet, and its dist/ with its square); the home page's matrix is then
 * the index, and each bundle page's header links its pages (observablehq.config.ts).
 */
export const SIDEBAR_BUNDLES = 12;

/** Bundle ids become URL segments and file names: keep them plain. */
export function isBundleId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && !id.includes("..");
}

export function readBundle(dir: string): Bundle {
  const id = basename(resolve(dir));
  if (!isBundleId(id)) throw new Error(`${dir}: bundle folder name '${id}' must be letters, digits, '.', '_' or '-'`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
  const manifest = readManifest(dir);
  const byName = new Map((manifest?.files ?? []).map((f) => [f.file, f]));
  const files = readdirSync(dir, {withFileTypes: true})
    .filter((d) => d.isFile() && d.name !== MANIFEST && !d.name.startsWith("."))
    .map((d) => d.name)
    .sort()
    .map((file): BundleFile => {
      const path = join(dir, file);
      const listed = byName.get(file);
      const format = formatOf(file, path);
      return {
        file,
        path,
        format,
        kind: listed?.kind ?? kindOf(file, format),
        kindFromManifest: listed?.kind !== undefined,
        tool: namedSource(manifest, listed),
        listed: listed ?? null,
        window_s: listed?.window_s ?? null
      };
    });
  // Context first: its facts (target, threads) describe every other file.
  files.sort((a, b) => Number(b.format === "context") - Number(a.format === "context"));
  return {id, dir, manifest, files};
}

// bpfbook's own captures before manifests named each file's source: the capture runner's
// programs by the kind it recorded (loaders/capture/run.ts).
const CAPTURE_SOURCES: Record<string, string> = {fsync: "bpfbook fsync.bt", bio: "bpfbook bio.bt", offcpu: "bpfbook offcpu.bt", syscalls: "bpfbook syscalls.bt", oncpu: "folded stacks"};

/** The source the manifest names for a file, if any; content decides otherwise. */
function namedSource(manifest: Manifest | null, listed: ManifestFile | undefined): string | null {
  if (typeof listed?.source === "string") return listed.source;
  if (manifest?.source === "capture" && listed?.kind) return CAPTURE_SOURCES[listed.kind] ?? null;
  return null;
}

function readManifest(dir: string): Manifest | null {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return null;
  try {
    const manifest = JSON.parse(readFileSync(path, "utf8"));
    if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) throw new Error("not an object");
    return manifest as Manifest;
  } catch (error) {
    throw new Error(`${path}:1: unreadable manifest: ${(error as Error).message}`);
  }
}

/** How to parse a file: by its name where capture scripts make it plain, else by its first lines. */
export function formatOf(file: string, path?: string): Format {
  const name = file.toLowerCase();
  if (/context/.test(name)) return "context";
  if (/\.folded$|\.collapsed$/.test(name)) return "folded";
  if (/\.md$|\.stderr$|\.err$|\.log$|report/.test(name)) return "document";
  if (/\.ndjson$|\.json$/.test(name)) return "bpftrace-json";
  if (/perf-script|\.perf\.txt$|\.script$/.test(name)) return "perf-script";
  return path ? sniff(path) : "bpftrace-text";
}

/** Each parser's content sniffer, in the order they are asked. */
const SNIFFERS: [Format, Sniff][] = [
  ["bpftrace-json", sniffBpftraceJson],
  ["perf-script", sniffPerfScript],
  ["folded", sniffFolded],
  ["bpftrace-text", sniffBpftraceText],
  ["bcc-histogram", sniffBccHistogram],
  ["bcc-stacks", sniffBccStacks],
  ["table", sniffTable]
];

/** Tell the format from the first lines of a file (16 kB): each parser knows its own. */
function sniff(path: string): Format {
  const fd = openSync(path, "r");
  const buffer = Buffer.alloc(16384);
  const n = readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  const lines = buffer.subarray(0, n).toString("utf8").split("\n");
  // bpftrace text before bcc's formats (its printf tables would pass for bcc's), and the
  // fallback, so a file of no known format gets its problems named by that parser.
  return SNIFFERS.find(([, sniff]) => sniff(lines))?.[0] ?? "bpftrace-text";
}

export function kindOf(file: string, format: Format): Kind {
  const name = file.toLowerCase();
  if (format === "context") return "context";
  if (/report/.test(name)) return "oncpu-report";
  if (format === "document") return "document";
  if (format === "folded" || format === "perf-script" || /oncpu|profile/.test(name)) return "oncpu";
  if (/fsync/.test(name)) return "fsync";
  if (/bio|block|disk/.test(name)) return "bio";
  if (/offcpu|off-cpu/.test(name)) return "offcpu";
  if (/syscall|writepath|write-path/.test(name)) return "syscalls";
  return "other";
}

// Declared sources: a JSON list saying where each bundle comes from (a folder, a tarball,
// an https URL, or a live capture), brought into the captures folder by `npm run build` and
// `npm run dev` before anything is converted. What the last fetch saw is kept in the
// bundle's own manifest (source, fetched_at, source_sha256, ETag, Last-Modified and a hash
// of the entry), so an unchanged source costs a conditional GET, a hash, or nothing.

import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join, resolve} from "node:path";
import {createHash} from "node:crypto";
import {MANIFEST, type Manifest, capturesDir, isBundleId} from "./bundle.js";
import {DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, UnreachableError, downloadTo, fetchBundle, replaceFolder} from "./fetch.js";
import {sha256} from "./hash.js";
import {printable} from "./text.js";

export const DEFAULT_SOURCES_FILE = "bpfbook.sources.json";

export interface FetchSource {
  id: string;
  /** A folder, a .tar/.tar.gz/.tgz file (relative to the sources file) or an https URL to a tarball. */
  from: string;
  windows: Record<string, number>;
  target: string[];
  /** The tarball's sha256, when the sources file pins it. */
  sha256: string | null;
}

export interface CaptureSource {
  id: string;
  capture: {pid?: string; comm?: string; container?: string; duration: number};
}

export type Source = FetchSource | CaptureSource;

/** What a build did with a source: brought a new copy, found it unchanged, kept the last copy (with why), or could not build it. */
export type SourceAction = "fetched" | "captured" | "unchanged" | "kept" | "failed";

export interface SourceOutcome {
  id: string;
  /** The source as declared: the URL or path, or `capture comm=…`. */
  from: string;
  action: SourceAction;
  reason: string | null;
  /** When the copy in the captures folder was fetched or captured; null when there is none. */
  fetched_at: string | null;
}

export class SourcesError extends Error {}

/** The sources file to use: BPFBOOK_SOURCES (which must exist), else bpfbook.sources.json if present, else none. */
export function sourcesFile(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.BPFBOOK_SOURCES) {
    const path = resolve(env.BPFBOOK_SOURCES);
    if (!existsSync(path)) throw new SourcesError(`BPFBOOK_SOURCES names ${path}, which does not exist`);
    return path;
  }
  const path = resolve(DEFAULT_SOURCES_FILE);
  return existsSync(path) ? path : null;
}

const FETCH_KEYS = new Set(["id", "from", "windows", "target", "sha256"]);
const CAPTURE_KEYS = new Set(["pid", "comm", "container", "duration"]);

/** The entries of a sources file, checked; a mistake names the file, the entry and what is wrong. */
export function parseSources(text: string, name: string): Source[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SourcesError(`${name}:${jsonErrorLine(text)}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new SourcesError(`${name}: expected a JSON list of sources, [{"id": …, "from": …}, …]`);
  const seen = new Set<string>();
  return parsed.map((entry, i) => {
    const where = (id?: unknown) => `${name}: entry ${i + 1}${typeof id === "string" ? ` (${printable(id)})` : ""}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new SourcesError(`${where()}: expected an object`);
    const e = entry as Record<string, unknown>;
    const fail = (message: string): never => {
      throw new SourcesError(`${where(e.id)}: ${message}`);
    };
    if (typeof e.id !== "string" || !isBundleId(e.id)) fail(`"id" must be a bundle id: letters, digits, '.', '_' or '-'`);
    const id = e.id as string;
    if (seen.has(id)) fail(`id "${id}" is declared twice`);
    seen.add(id);
    if (("from" in e) === ("capture" in e)) fail(`give exactly one of "from" (folder, tarball or https URL) and "capture"`);
    if ("capture" in e) {
      for (const key of Object.keys(e)) if (key !== "id" && key !== "capture") fail(`unknown key "${key}" beside "capture"`);
      const c = e.capture as Record<string, unknown>;
      if (typeof c !== "object" || c === null || Array.isArray(c)) return fail(`"capture" must be an object`);
      for (const key of Object.keys(c)) if (!CAPTURE_KEYS.has(key)) fail(`unknown key "capture.${key}" (expected pid, comm, container, duration)`);
      const targets = ["pid", "comm", "container"].filter((k) => k in c);
      if (targets.length !== 1) fail(`"capture" needs exactly one of pid, comm, container`);
      const [kind] = targets as ("pid" | "comm" | "container")[];
      if (typeof c[kind] !== "string" && typeof c[kind] !== "number") fail(`"capture.${kind}" must be a string or number`);
      const duration = c.duration ?? 30;
      if (typeof duration !== "number" || !Number.isInteger(duration) || duration <= 0) fail(`"capture.duration" must be whole seconds above 0`);
      return {id, capture: {[kind]: String(c[kind]), duration: duration as number}} as CaptureSource;
    }
    for (const key of Object.keys(e)) if (!FETCH_KEYS.has(key)) fail(`unknown key "${key}" (expected ${[...FETCH_KEYS].join(", ")})`);
    if (typeof e.from !== "string" || e.from === "") fail(`"from" must be a folder, a tarball or an https URL`);
    const windows = e.windows ?? {};
    if (typeof windows !== "object" || windows === null || Array.isArray(windows)) fail(`"windows" must map file names to seconds`);
    for (const [file, seconds] of Object.entries(windows as object)) if (typeof seconds !== "number" || !(seconds > 0)) fail(`"windows" of ${file}: expected seconds above 0`);
    const target = e.target ?? [];
    if (!Array.isArray(target) || !target.every((t) => typeof t === "string" && t !== "")) fail(`"target" must be a list of process or thread names`);
    if (e.sha256 !== undefined && (typeof e.sha256 !== "string" || !/^[0-9a-f]{64}$/i.test(e.sha256))) fail(`"sha256" must be 64 hex digits`);
    return {id, from: e.from as string, windows: windows as Record<string, number>, target: target as string[], sha256: typeof e.sha256 === "string" ? e.sha256.toLowerCase() : null};
  });
}

/**
 * The line of a JSON syntax error. V8 does not always say where (`Unexpected token '}'`), so
 * find the shortest prefix that is wrong rather than merely unfinished: everything before
 * the mistake parses as the start of a document.
 */
function jsonErrorLine(text: string): number {
  const unfinished = (k: number) => {
    try {
      JSON.parse(text.slice(0, k));
      return true;
    } catch (error) {
      const message = (error as Error).message;
      const at = /at position (\d+)/.exec(message);
      return /end of JSON input|Unterminated string/.test(message) || (at !== null && Number(at[1]) >= k);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (unfinished(mid)) lo = mid + 1;
    else hi = mid;
  }
  return text.slice(0, lo).split("\n").length;
}

export function readSources(path: string): Source[] {
  return parseSources(readFileSync(path, "utf8"), path);
}

export interface SyncOptions {
  captures?: string;
  /** Where relative `from` paths start: the sources file's folder. */
  base?: string;
  maxBytes?: number;
  timeoutMs?: number;
  /** Why a live capture cannot run here (loaders/capture/environment.ts preflight); empty when it can. */
  captureBlockers?: () => string[];
  log?: (line: string) => void;
}

/** Brings every source into the captures folder, one at a time; never throws for one source's failure. */
export async function syncSources(sources: Source[], options: SyncOptions = {}): Promise<SourceOutcome[]> {
  const captures = resolve(options.captures ?? capturesDir());
  mkdirSync(captures, {recursive: true});
  const outcomes: SourceOutcome[] = [];
  for (const source of sources) {
    const outcome = "capture" in source ? await syncCapture(source, captures, options) : await syncFetch(source, captures, options);
    options.log?.(describeOutcome(outcome));
    outcomes.push(outcome);
  }
  return outcomes;
}

/** One line for a log: "qfc-t1: unchanged (https://…, fetched 2026-…)". */
export function describeOutcome(o: SourceOutcome): string {
  const when = o.fetched_at ? `, fetched ${o.fetched_at}` : "";
  return `${printable(o.id)}: ${o.action} (${printable(o.from)}${when})${o.reason ? `: ${printable(o.reason)}` : ""}`;
}

function readManifestOf(dir: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Manifest;
  } catch {
    return null;
  }
}

const text = (m: Manifest | null, key: string): string | null => (typeof m?.[key] === "string" ? (m[key] as string) : null);

/** The entry's identity as last fetched: a changed window or target refetches too. */
function entryHash(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

/** A folder's content as one hash: each plain file's name and sha256 (its manifest.json aside, as fetch skips it). */
function folderDigest(dir: string): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).sort()) {
    if (name === MANIFEST) continue;
    const path = join(dir, name);
    hash.update(name).update("\0").update(statSync(path).isFile() ? sha256(path) : "not a file").update("\n");
  }
  return hash.digest("hex");
}

/**
 * A source that cannot be brought in now: its last copy (`last`, its manifest) stands in,
 * "kept", saying which and from when (`at`); without one the source fails.
 */
function standIn(id: string, from: string, last: Manifest | null, at: string | null, using: string, reason: string): SourceOutcome {
  return last ? {id, from, action: "kept", reason: `${reason}; using ${using}`, fetched_at: at} : {id, from, action: "failed", reason, fetched_at: null};
}

async function syncFetch(source: FetchSource, captures: string, options: SyncOptions): Promise<SourceOutcome> {
  const https = /^https:\/\//i.test(source.from);
  const origin = https || /^http:\/\//i.test(source.from) ? source.from : resolve(options.base ?? ".", source.from);
  const dir = join(captures, source.id);
  const old = existsSync(dir) ? readManifestOf(dir) : null;
  const entry = entryHash({from: origin, windows: source.windows, target: source.target});
  const same = old !== null && old.source === origin && old.source_entry === entry;
  const outcome = (action: SourceAction, reason: string | null = null, fetchedAt = text(old, "fetched_at")): SourceOutcome => ({id: source.id, from: source.from, action, reason, fetched_at: fetchedAt});
  const fetchedAt = text(old, "fetched_at");
  const keep = (reason: string) => standIn(source.id, source.from, old, fetchedAt, `the copy fetched ${fetchedAt ?? "earlier"}`, reason);
  const limits = {maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxRedirects: 5};
  const bring = async (from: string, record: Record<string, unknown>) => {
    const {manifest} = await fetchBundle(from, {id: source.id, into: captures, force: true, windows: source.windows, targets: source.target, origin, record: {...record, source_entry: entry}, maxBytes: limits.maxBytes, timeoutMs: limits.timeoutMs});
    return outcome("fetched", null, text(manifest, "fetched_at"));
  };
  const wrongDigest = (digest: string) => `sha256 of the tarball is ${digest}, the sources file declares ${source.sha256}`;
  try {
    if (/^http:\/\//i.test(source.from)) return outcome("failed", `refusing plain http: ${source.from} (use https)`, null);
    if (https) {
      if (same && source.sha256 !== null && old.source_sha256 === source.sha256) return outcome("unchanged");
      const download = join(tmpdir(), `bpfbook-source-${process.pid}-${Date.now()}.tar`);
      try {
        // A pinned sha256 the last copy does not have is checked on the bytes, never on a 304.
        const ask = same && source.sha256 === null;
        const got = await downloadTo(source.from, download, limits, ask ? {ifNoneMatch: text(old, "source_etag"), ifModifiedSince: text(old, "source_last_modified")} : {});
        if (got.notModified) return outcome("unchanged");
        const digest = sha256(download);
        if (source.sha256 !== null && digest !== source.sha256) return outcome("failed", wrongDigest(digest), null);
        // A server without validators: the same bytes are still the same bundle.
        if (same && old.source_sha256 === digest) return outcome("unchanged");
        return await bring(download, {source_sha256: digest, source_etag: got.etag, source_last_modified: got.lastModified});
      } finally {
        rmSync(download, {force: true});
      }
    }
    if (!existsSync(origin)) return keep(`${origin}: no such folder or tarball`);
    const folder = statSync(origin).isDirectory();
    const digest = folder ? folderDigest(origin) : sha256(origin);
    if (!folder && source.sha256 !== null && digest !== source.sha256) return outcome("failed", wrongDigest(digest), null);
    if (same && old.source_sha256 === digest) return outcome("unchanged");
    return await bring(origin, {source_sha256: digest});
  } catch (error) {
    if (error instanceof UnreachableError) return keep(error.message);
    return outcome("failed", (error as Error).message, null);
  }
}

async function syncCapture(source: CaptureSource, captures: string, options: SyncOptions): Promise<SourceOutcome> {
  const [kind, value] = Object.entries(source.capture).find(([k]) => k !== "duration")!;
  const from = `capture ${kind}=${value}, ${source.capture.duration} s`;
  const dir = join(captures, source.id);
  const old = existsSync(dir) ? readManifestOf(dir) : null;
  const lastAt = text(old, "fetched_at") ?? text(old, "started_at");
  const keep = (reason: string) => standIn(source.id, from, old, lastAt, `the capture of ${lastAt ?? "an earlier build"}`, reason);
  const {preflight} = await import("./capture/environment.js");
  const blockers = (options.captureBlockers ?? preflight)();
  if (blockers.length) return keep(`cannot capture here: ${blockers.join("; ")}`);
  // Captured beside the captures folder's bundles (same file system, so the swap is a rename)
  // under a dot-folder no listing takes for a bundle.
  const staging = join(captures, ".staging", `${process.pid}-${Date.now()}`, source.id);
  mkdirSync(dirname(staging), {recursive: true});
  try {
    const {capture} = await import("./capture/run.js");
    await capture({target: {pid: source.capture.pid, comm: source.capture.comm, container: source.capture.container}, duration: source.capture.duration, out: staging, log: options.log});
    const manifest = readManifestOf(staging) ?? {};
    const fetchedAt = new Date().toISOString();
    writeFileSync(join(staging, MANIFEST), JSON.stringify({...manifest, id: source.id, source: from, fetched_at: fetchedAt}, null, 2) + "\n");
    replaceFolder(staging, dir);
    return {id: source.id, from, action: "captured", reason: null, fetched_at: fetchedAt};
  } catch (error) {
    return keep(`the capture failed: ${(error as Error).message}`);
  } finally {
    rmSync(dirname(staging), {recursive: true, force: true});
  }
}

/** Outcomes the build hands the pages (BPFBOOK_SOURCES_REPORT), as scripts/build.ts set them. */
export function sourceReport(env: NodeJS.ProcessEnv = process.env): SourceOutcome[] {
  try {
    const parsed = JSON.parse(env.BPFBOOK_SOURCES_REPORT || "[]");
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

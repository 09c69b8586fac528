// Bring a capture bundle into the captures folder: from a folder, a tarball, or an https
// URL to a tarball. Writes a manifest (source, sha256 and size of every file, fetch time,
// capture windows given on the command line), refuses archive entries that would land
// outside the bundle or are not plain files, caps sizes, times out, and re-reads what it
// wrote to verify it.

import type {Progress} from "./progress.js";
import {createReadStream, createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, copyFileSync, writeFileSync} from "node:fs";
import {get as httpsGet} from "node:https";
import {tmpdir} from "node:os";
import {basename, dirname, join, posix, resolve} from "node:path";
import * as tar from "tar";
import {sha256} from "./hash.js";
import {MANIFEST, type Manifest, type ManifestFile, capturesDir, isBundleId, kindOf, formatOf} from "./bundle.js";

export interface FetchOptions {
  id?: string;
  /** Capture window in seconds per file name. */
  windows?: Record<string, number>;
  into?: string;
  force?: boolean;
  /** Process or thread names of the target, written to the manifest for bundles without a context file. */
  targets?: string[];
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  /** Told each step: getting the source, unpacking, checking. */
  progress?: Progress;
  /** What the manifest records as the source, when `source` is a local copy of it (a download). */
  origin?: string;
  /** More to record in the manifest (declared sources: the tarball's sha256, ETag…). */
  record?: Record<string, unknown>;
}

export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 60_000;

export class FetchError extends Error {}

/** The source could not be reached (network, timeout, server error): a cached copy may stand in. */
export class UnreachableError extends FetchError {}

export async function fetchBundle(source: string, options: FetchOptions = {}): Promise<{id: string; dir: string; manifest: Manifest}> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const into = resolve(options.into ?? capturesDir());
  const id = options.id ?? defaultId(source);
  if (!isBundleId(id)) throw new FetchError(`bundle id '${id}' must be letters, digits, '.', '_' or '-' (use --id)`);
  const dir = join(into, id);
  if (existsSync(dir) && !options.force) throw new FetchError(`${dir} exists; pass --force to replace it`);
  mkdirSync(into, {recursive: true});
  const staging = join(into, `.${id}.fetch-${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  const scratch: string[] = [];
  const steps = options.progress;
  steps?.start(`fetching ${id}`, 3);
  try {
    if (/^http:\/\//i.test(source)) throw new FetchError(`refusing plain http: ${source} (use https)`);
    if (/^https:\/\//i.test(source)) {
      steps?.label(`downloading ${id}`);
      const download = join(tmpdir(), `bpfbook-download-${process.pid}-${Date.now()}.tar`);
      scratch.push(download);
      await downloadTo(source, download, {maxBytes, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxRedirects: options.maxRedirects ?? 5});
      steps?.update(1);
      steps?.label(`unpacking ${id}`);
      await extractTarball(download, staging, maxBytes);
    } else if (existsSync(source) && statSync(source).isDirectory()) {
      copyFolder(source, staging, maxBytes);
    } else if (existsSync(source) && /\.(tar|tar\.gz|tgz)$/i.test(source)) {
      await extractTarball(source, staging, maxBytes);
    } else {
      throw new FetchError(`${source}: not a folder, a .tar/.tar.gz/.tgz file or an https URL`);
    }
    steps?.update(2);
    steps?.label(`checking ${id}`);
    const origin = options.origin ?? (/^https:\/\//i.test(source) ? source : resolve(source));
    const manifest = writeManifest(staging, id, origin, options.windows ?? {}, options.targets ?? [], options.record ?? {});
    const differences = verify(staging, manifest);
    if (differences.length) throw new FetchError(`${staging}: verification failed: ${differences.join("; ")}`);
    replaceFolder(staging, dir);
    steps?.update(3);
    return {id, dir, manifest};
  } catch (error) {
    rmSync(staging, {recursive: true, force: true});
    throw error;
  } finally {
    steps?.stop();
    for (const file of scratch) rmSync(file, {force: true});
  }
}

/**
 * Puts a finished folder in place of a bundle: the old one is moved aside first, so a reader
 * (the dev server, a build) finds the old bundle or the new one, never half of either.
 */
export function replaceFolder(staging: string, dir: string): void {
  const aside = `${join(dirname(dir), "." + basename(dir))}.old-${process.pid}-${Date.now()}`;
  const had = existsSync(dir);
  if (had) renameSync(dir, aside);
  try {
    renameSync(staging, dir);
  } catch (error) {
    if (had) renameSync(aside, dir);
    throw error;
  }
  if (had) rmSync(aside, {recursive: true, force: true});
}

function defaultId(source: string): string {
  const name = basename(source.replace(/[?#].*$/, "").replace(/\/+$/, ""));
  return name.replace(/\.(tar\.gz|tgz|tar)$/i, "");
}

/** Top-level regular files of a folder; links, devices and sub-folders are refused. */
function copyFolder(from: string, to: string, maxBytes: number): void {
  let total = 0;
  for (const entry of readdirSync(from)) {
    if (entry === MANIFEST) continue;
    const path = join(from, entry);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) throw new FetchError(`${path}: refusing a symbolic link`);
    if (!stat.isFile()) throw new FetchError(`${path}: refusing ${stat.isDirectory() ? "a sub-folder" : "a device or special file"}`);
    total += stat.size;
    if (total > maxBytes) throw new FetchError(`${from}: larger than the ${maxBytes}-byte limit`);
    copyFileSync(path, join(to, entry));
  }
}

/** Why an entry may not be unpacked, given the bytes declared before it; null when it may. */
function entryProblem(e: {path: string; type: string; size: number}, before: number, maxBytes: number): string | null {
  if (e.path.startsWith("/") || /^[A-Za-z]:/.test(e.path)) return `refusing entry with an absolute path: ${e.path}`;
  if (e.path.split("/").includes("..")) return `refusing entry that leaves the bundle: ${e.path}`;
  if (e.type !== "File" && e.type !== "Directory" && e.type !== "OldFile") return `refusing ${e.type} entry: ${e.path}`;
  if (before + e.size > maxBytes) return `entry ${e.path} declares ${e.size} bytes, which takes the bundle past the ${maxBytes}-byte limit`;
  return null;
}

/**
 * Reads the archive once, checking each entry as its header arrives (path, type, declared
 * size against the running total) and stopping at the first that fails, without inflating
 * the rest. Entry data is discarded as it streams by, so memory stays bounded; tar's own
 * inflater refuses a decompression ratio over 1000:1. Resolves with the entries' paths.
 */
function checkTarball(file: string, maxBytes: number): Promise<{path: string; type: string}[]> {
  return new Promise((resolvePromise, reject) => {
    const entries: {path: string; type: string}[] = [];
    const input = createReadStream(file);
    const parser = new tar.Parser({strict: true});
    let declared = 0;
    let done = false;
    const fail = (message: string) => {
      if (done) return;
      done = true;
      input.destroy();
      reject(new FetchError(`${file}: ${message}`));
    };
    parser.on("entry", (entry: tar.ReadEntry) => {
      const e = {path: entry.path, type: entry.type, size: entry.size ?? 0};
      const problem = entryProblem(e, declared, maxBytes);
      if (problem) return fail(problem);
      declared += e.size;
      entries.push(e);
      entry.resume();
    });
    parser.on("error", (error: Error) => fail(`not a readable tar archive (${error.message})`));
    parser.on("end", () => {
      if (done) return;
      done = true;
      resolvePromise(entries);
    });
    input.on("error", (error) => fail(`cannot read (${error.message})`));
    input.pipe(parser as unknown as NodeJS.WritableStream);
  });
}

/** Safe extraction: check every entry as it is read, refuse the archive at the first unsafe one, then unpack it streaming. */
async function extractTarball(file: string, to: string, maxBytes: number): Promise<void> {
  const entries = await checkTarball(file, maxBytes);
  const files = entries.filter((e) => e.type !== "Directory").map((e) => posix.normalize(e.path.replace(/^\.\//, "")));
  // A bundle packed with its folder (qfc-t1/00-context.txt) is unpacked without that folder.
  const tops = new Set(files.map((f) => f.split("/")[0]));
  const strip = tops.size === 1 && files.every((f) => f.includes("/")) ? 1 : 0;
  const nested = files.filter((f) => f.split("/").length - strip > 1);
  if (nested.length) throw new FetchError(`${file}: bundles are flat folders; refusing nested entry ${nested[0]}`);
  // tar streams each entry to its file; the checks run again in case the archive changed
  // since it was read, and what landed on disk is measured.
  let declared = 0;
  let refused: string | null = null;
  await tar.x({
    file,
    cwd: to,
    strict: true,
    strip,
    preservePaths: false,
    noChmod: true,
    filter: (path, entry) => {
      const e = {path, type: "type" in entry ? String(entry.type) : "File", size: entry.size ?? 0};
      refused ??= entryProblem(e, declared, maxBytes);
      declared += e.size;
      return refused === null;
    }
  });
  if (refused) throw new FetchError(`${file}: ${refused}`);
  const written = readdirSync(to).reduce((sum, name) => sum + lstatSync(join(to, name)).size, 0);
  if (written > maxBytes) throw new FetchError(`${file}: unpacked ${written} bytes, over the ${maxBytes}-byte limit`);
}

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

/** What a download found: the body written (200) or the copy still current (304), and the validators to ask with next time. */
export interface Download {
  notModified: boolean;
  etag: string | null;
  lastModified: string | null;
}

/**
 * GET an https URL into a file, following https redirects only, within the limits. With
 * `ifNoneMatch`/`ifModifiedSince` the server may answer 304: nothing is written. Failures
 * to reach the server (refused, DNS, timeout, 5xx) are UnreachableError, so a caller may
 * keep a cached copy; anything else (4xx, over the limit, a redirect to http) is FetchError.
 */
export function downloadTo(url: string, path: string, limits: DownloadLimits, conditions: {ifNoneMatch?: string | null; ifModifiedSince?: string | null} = {}): Promise<Download> {
  return new Promise((resolvePromise, reject) => {
    const fail = (message: string) => reject(new FetchError(message));
    const unreachable = (message: string) => reject(new UnreachableError(message));
    const headers: Record<string, string> = {};
    if (conditions.ifNoneMatch) headers["if-none-match"] = conditions.ifNoneMatch;
    if (conditions.ifModifiedSince) headers["if-modified-since"] = conditions.ifModifiedSince;
    const request = (href: string, redirects: number) => {
      const target = new URL(href);
      if (target.protocol !== "https:") return fail(`refusing redirect to non-https ${href}`);
      const req = httpsGet(target, {timeout: limits.timeoutMs, headers}, (res) => {
        const status = res.statusCode ?? 0;
        const validators = {etag: header(res.headers.etag), lastModified: header(res.headers["last-modified"])};
        if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
          res.resume();
          if (redirects >= limits.maxRedirects) return fail(`${url}: too many redirects`);
          return request(new URL(res.headers.location, target).href, redirects + 1);
        }
        if (status === 304 && (conditions.ifNoneMatch || conditions.ifModifiedSince)) {
          res.resume();
          return resolvePromise({notModified: true, ...validators});
        }
        if (status !== 200) {
          res.resume();
          return (status >= 500 ? unreachable : fail)(`${href}: HTTP ${status}`);
        }
        const declared = Number(res.headers["content-length"] ?? 0);
        if (declared > limits.maxBytes) {
          res.destroy();
          return fail(`${href}: ${declared} bytes is over the ${limits.maxBytes}-byte limit`);
        }
        const out = createWriteStream(path);
        let received = 0;
        res.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > limits.maxBytes) {
            res.destroy();
            out.destroy();
            fail(`${href}: download passed the ${limits.maxBytes}-byte limit`);
          }
        });
        res.pipe(out);
        out.on("finish", () => resolvePromise({notModified: false, ...validators}));
        out.on("error", (e) => fail(`${path}: ${e.message}`));
        res.on("error", (e) => unreachable(`${href}: ${e.message}`));
      });
      req.on("timeout", () => {
        req.destroy();
        unreachable(`${href}: timed out after ${limits.timeoutMs} ms`);
      });
      // Certificate problems are not the network being away: they stay FetchError.
      req.on("error", (e: NodeJS.ErrnoException) => (NETWORK_ERRORS.has(e.code ?? "") ? unreachable : fail)(`${href}: ${e.message}`));
    };
    request(url, 0);
  });
}

const NETWORK_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN", "EPIPE"]);

const header = (value: string | string[] | undefined): string | null => (Array.isArray(value) ? value[0] : value) ?? null;

function writeManifest(dir: string, id: string, source: string, windows: Record<string, number>, targets: string[], record: Record<string, unknown>): Manifest {
  const names = readdirSync(dir).filter((f) => f !== MANIFEST).sort();
  for (const file of Object.keys(windows)) {
    if (!names.includes(file)) throw new FetchError(`--window names ${file}, which is not in the bundle (${names.join(", ")})`);
    if (!(windows[file] > 0)) throw new FetchError(`--window ${file}: the window must be a positive number of seconds`);
  }
  const files: ManifestFile[] = names.map((file) => {
    const path = join(dir, file);
    return {file, sha256: sha256(path), bytes: statSync(path).size, kind: kindOf(file, formatOf(file, path)), window_s: windows[file] ?? null};
  });
  const manifest: Manifest = {id, source, fetched_at: new Date().toISOString(), ...record, ...(targets.length ? {target: targets} : {}), files};
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/** Differences between a folder and its manifest: missing, changed or unlisted files. */
export function verify(dir: string, manifest: Manifest): string[] {
  const differences: string[] = [];
  const listed = new Set((manifest.files ?? []).map((f) => f.file));
  for (const f of manifest.files ?? []) {
    const path = join(dir, f.file);
    if (!existsSync(path)) differences.push(`${f.file}: missing`);
    else if (!f.sha256) differences.push(`${f.file}: the manifest gives no sha256`);
    else if (typeof f.bytes === "number" && statSync(path).size !== f.bytes) differences.push(`${f.file}: ${statSync(path).size} bytes, the manifest says ${f.bytes}`);
    else if (sha256(path) !== f.sha256) differences.push(`${f.file}: sha256 differs from the manifest`);
  }
  for (const file of readdirSync(dir)) if (file !== MANIFEST && !listed.has(file)) differences.push(`${file}: not in the manifest`);
  return differences;
}

// Past SIDEBAR_BUNDLES bundles, a bundle's seven pages differ from another's only in its id
// and in the files they register (name, hashed path, size, time): the sidebar lists no bundle
// and every page is the same Markdown (src/captures/[bundle]/). Framework spent most of a
// fleet's cold build parsing and laying out those identical pages, ~1.7 s of CPU a bundle
// (docs/performance.md, "Build"). So Framework renders one set of pages for a template bundle
// whose loader outputs are a real bundle's (hard links), and each bundle's pages are that set
// with its id and its files' entries put in, written as Framework writes them.
//
// Filling checks itself against Framework: each file entry the template carries must be the
// one this module would write for the template's own file, and every file Framework copied
// for the template must be one the pages name; otherwise the build stops with the reason
// (a Framework upgrade that changed its output). test/fleet.test.ts compares filled pages
// with pages Framework rendered for the same bundles, byte for byte.
import {createHash} from "node:crypto";
import {copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from "node:fs";
import {basename, extname, join} from "node:path";
import {outputsDir} from "./precompute.js";

/** The template bundle's id: a name no bundle has. */
export function templateId(bundles: string[]): string {
  let id = "bpfbook-page-template";
  for (let n = 2; bundles.includes(id); n++) id = `bpfbook-page-template-${n}`;
  return id;
}

/** Gives the template the loader outputs of `source` (hard links: same bytes, same times, so Framework finds them fresh). */
export function prepareTemplate(template: string, source: string, root = "src"): void {
  const [from, to] = [outputsDir(source, root), outputsDir(template, root)];
  rmSync(to, {recursive: true, force: true});
  mkdirSync(to, {recursive: true});
  for (const name of readdirSync(from)) linkSync(join(from, name), join(to, name));
}

/** Removes the template's pages, files and loader outputs. */
export function removeTemplate(template: string, dist: string, root = "src"): void {
  for (const dir of [join(dist, "captures", template), join(dist, "_file", "captures", template), outputsDir(template, root)]) rmSync(dir, {recursive: true, force: true});
}

interface FileEntry {
  name: string;
  mimeType?: string;
  path: string;
  lastModified: number;
  size: number;
}

/** A file's entry as Framework's render.js registerFile writes it. */
const registerFile = (entry: FileEntry) => `registerFile(${JSON.stringify(entry.name)}, ${JSON.stringify(entry)});`;

const REGISTERED = /registerFile\(("[^"\n]*"), (\{[^}\n]*\})\);/g;

/** A bundle's file: where the page names it (Framework's content-hashed alias) and what it registers. */
interface BundleFile {
  entry: FileEntry;
  alias: string;
  source: string;
}

/**
 * The bundle `id`'s entry for each file the template registers, made once per file (read,
 * hashed, stat'ed) whichever page asks: `id`'s copy of the template's entry `e`.
 */
function bundleFiles(id: string, output: string): {of(e: FileEntry): BundleFile; all(): Iterable<BundleFile>} {
  const made = new Map<string, BundleFile>();
  return {
    of(e) {
      const depth = e.path.slice(0, e.path.indexOf("_file/"));
      const key = `${depth}${e.name}`;
      let file = made.get(key);
      if (!file) made.set(key, (file = fileEntry(e, id, output, depth)));
      return file;
    },
    all: () => made.values()
  };
}

function fileEntry(template: FileEntry, id: string, output: string, pageDepth: string): BundleFile {
  const file = template.name.replace(/^\.\//, "");
  const source = join(output, file);
  const contents = readFileSync(source);
  const stat = statSync(source);
  const ext = extname(file);
  const hash = createHash("sha256").update(contents).digest("hex").slice(0, 8);
  const alias = `_file/captures/${id}/${basename(file, ext)}.${hash}${ext}`;
  const entry: FileEntry = {name: template.name, mimeType: template.mimeType, path: `${pageDepth}${alias}`, lastModified: Math.floor(stat.mtimeMs), size: stat.size};
  if (entry.mimeType === undefined) delete entry.mimeType;
  return {entry, alias, source};
}

/**
 * Writes `ids`' pages into `dist` from the template's (rendered by Framework into
 * dist/captures/<template>/), and copies the files they register from Framework's cache,
 * under the names Framework gives them.
 */
export function fillPages(template: string, ids: string[], dist: string, root = "src"): void {
  const pagesDir = join(dist, "captures", template);
  const pages = readdirSync(pagesDir).filter((f) => f.endsWith(".html"));
  const copied = new Set(readdirSync(join(dist, "_file", "captures", template)));
  const own = bundleFiles(template, outputsDir(template, root));
  const texts = pages.map((page) => {
    const text = readFileSync(join(pagesDir, page), "utf8");
    const entries = [...text.matchAll(REGISTERED)].map((m) => JSON.parse(m[2]) as FileEntry).filter((e) => e.path.includes(`_file/captures/${template}/`));
    // The template's own entries must be what fileEntry writes for its own files.
    for (const e of entries) {
      const expected = own.of(e).entry;
      if (!text.includes(registerFile(expected))) throw new Error(`page template: Framework registered ${e.name} in captures/${template}/${page} as ${JSON.stringify(e)}, not as expected (${JSON.stringify(expected)}); build with BPFBOOK_PAGE_TEMPLATE=0`);
    }
    return {page, text, entries};
  });
  const named = new Set(Array.from(own.all(), (f) => basename(f.alias)));
  const unnamed = [...copied].filter((f) => !named.has(f));
  if (unnamed.length) throw new Error(`page template: Framework wrote files no page registers (${unnamed.join(", ")}); build with BPFBOOK_PAGE_TEMPLATE=0`);
  if (existsSync(join(dist, "_import", "captures"))) throw new Error("page template: a bundle page imports a module of its own; build with BPFBOOK_PAGE_TEMPLATE=0");

  for (const id of ids) {
    const files = bundleFiles(id, outputsDir(id, root));
    mkdirSync(join(dist, "_file", "captures", id), {recursive: true});
    mkdirSync(join(dist, "captures", id), {recursive: true});
    for (const {page, text, entries} of texts) {
      let filled = text;
      for (const e of entries) {
        const mine = files.of(e);
        filled = filled.replace(registerFile(e), () => registerFile(mine.entry)).split(e.path).join(mine.entry.path);
      }
      // What is left of the template's id: the page's parameter, its header's links and title.
      writeFileSync(join(dist, "captures", id, page), filled.split(template).join(id));
    }
    for (const {alias, source} of files.all()) copyFileSync(source, join(dist, alias));
  }
}

// bpfbook site: one set of pages per capture bundle under BPFBOOK_CAPTURES
// (default data/captures), served from /captures/<bundle-id>/.
import {SIDEBAR_BUNDLES, capturesDir, siteBundles} from "./loaders/bundle.js";

const bundles = siteBundles(capturesDir());

/** The pages of one bundle; each has a Markdown file under src/captures/[bundle]/. */
export const bundlePages = [
  {name: "Summary", path: ""},
  {name: "Durability", path: "durability"},
  {name: "Block I/O", path: "io"},
  {name: "Syscalls", path: "syscalls"},
  {name: "Off-CPU", path: "offcpu"},
  {name: "On-CPU", path: "oncpu"},
  {name: "Explore", path: "explore"}
];

/** Bundles whose pages Framework renders: all, unless the build reuses some (scripts/page-reuse.ts). */
const rendered = process.env.BPFBOOK_RENDER ? (JSON.parse(process.env.BPFBOOK_RENDER) as string[]) : bundles;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The header of a bundle page: the bundle and links to its pages, the current one marked. */
function bundleHeader({path}: {path: string}): string | null {
  const match = /^\/captures\/([^/]+)\/(.*)$/.exec(path);
  if (!match) return null;
  const [, id, page] = match;
  const links = bundlePages.map((p) => {
    const current = (p.path || "index") === (page || "index");
    return `<a href="/captures/${escape(id)}/${p.path}"${current ? ' aria-current="page"' : ""}>${p.name}</a>`;
  });
  return `<nav class="bundle-nav"><a href="/">Bundles</a> › <strong>${escape(id)}</strong>: ${links.join(" · ")}</nav>`;
}

export default {
  root: "src",
  output: process.env.BPFBOOK_DIST || "dist",
  title: "bpfbook",
  // Everything is served from this origin: fonts are inlined (src/style.css), npm
  // modules come from the vendored cache, and DuckDB loads no extensions.
  globalStylesheets: [],
  style: "style.css",
  // Both platforms stay listed (Framework 1.13 fails to register a bundle when one is
  // off); scripts/prune-dist.ts removes the MVP files, which EH-capable browsers never ask for.
  duckdb: {extensions: {json: null, parquet: null}},
  search: false,
  // No `head`, and a footer only on the site-wide pages: Framework parses every page
  // fragment in a fresh jsdom window three times, and for a bundle's seven pages those
  // windows were a third of its page work (docs/performance.md, "Build"). The icon a
  // `head` link gave is the build's dist/favicon.ico (scripts/favicon.ts).
  header: bundleHeader,
  footer: ({path}: {path: string}) => (path.startsWith("/captures/") ? null : "bpfbook — findings computed from kernel traces."),
  pager: false,
  pages: [
    {name: "Bundles", path: "/"},
    {name: "Compare", path: "/compare"},
    ...(bundles.length <= SIDEBAR_BUNDLES ? bundles : []).map((id) => ({
      name: id,
      open: bundles.length < 4,
      pages: bundlePages.map((p) => ({name: p.name, path: `/captures/${id}/${p.path}`}))
    }))
  ],
  dynamicPaths: rendered.flatMap((id) => bundlePages.map((p) => `/captures/${id}/${p.path || "index"}`))
};

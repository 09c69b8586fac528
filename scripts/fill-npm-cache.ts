// Fill Framework's npm cache from node_modules so that neither `observable build`
// nor `observable preview` ever fetches a module from a CDN.
//
// Framework serves `npm:foo` from `<root>/.observablehq/cache/_npm/foo@<version>/_esm.js`
// and uses a file found there as-is; an unversioned `npm:foo` resolves to the version
// already in that folder. So we bundle one ESM module per browser package with esbuild,
// rewrite imports between those packages to relative paths (one shared apache-arrow),
// and copy the raw assets (wasm, workers) beside them.
//
//   tsx scripts/fill-npm-cache.ts           write the cache (runs on npm install)
//   tsx scripts/fill-npm-cache.ts --check   fail, naming the module, if anything is missing

import {build, type Plugin} from "esbuild";
import {copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {dirname, join, posix, relative} from "node:path";
import {fileURLToPath} from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const cacheRoot = join(projectRoot, "src", ".observablehq", "cache", "_npm");

/** Browser packages the pages (and Framework's stdlib behind aq, vl, DuckDBClient, FileAttachment) load. */
const packages: {name: string; assets?: string[]}[] = [
  {name: "apache-arrow"},
  {
    name: "@duckdb/duckdb-wasm",
    assets: [
      "dist/duckdb-eh.wasm",
      "dist/duckdb-browser-eh.worker.js",
      // Framework always lists the MVP build as a download; scripts/prune-dist.ts drops it from dist/.
      "dist/duckdb-mvp.wasm",
      "dist/duckdb-browser-mvp.worker.js"
    ]
  },
  {name: "parquet-wasm", assets: ["esm/parquet_wasm_bg.wasm"]},
  {name: "arquero"},
  {name: "vega"},
  {name: "vega-lite"},
  {name: "vega-lite-api"},
  {name: "htl"},
  {name: "isoformat"},
  {name: "@observablehq/inputs"}
];

function versionOf(name: string): string {
  const file = join(projectRoot, "node_modules", name, "package.json");
  if (!existsSync(file)) throw new Error(`npm cache: ${name} is not installed in node_modules (run npm ci)`);
  return JSON.parse(readFileSync(file, "utf8")).version;
}

const folderOf = (name: string) => `${name}@${versionOf(name)}`;

/** Every file the cache must hold, as paths relative to the _npm folder. */
export function expectedFiles(): string[] {
  return packages.flatMap(({name, assets = []}) => [
    `${folderOf(name)}/_esm.js`,
    ...assets.map((asset) => `${folderOf(name)}/${asset}`)
  ]);
}

/** Imports of another vendored package become relative paths to its cached module. */
function linkVendoredPackages(self: string): Plugin {
  const others = packages.map((p) => p.name).filter((name) => name !== self);
  return {
    name: "link-vendored-packages",
    setup(b) {
      b.onResolve({filter: /^[^./]/}, ({path}) => {
        const target = others.find((name) => path === name);
        if (!target) {
          if (others.some((name) => path.startsWith(name + "/"))) {
            throw new Error(`npm cache: ${self} imports a subpath ${path}; vendor it explicitly`);
          }
          return undefined;
        }
        const from = posix.join(folderOf(self), "_esm.js");
        const to = posix.join(folderOf(target), "_esm.js");
        return {path: posix.relative(posix.dirname(from), to), external: true};
      });
    }
  };
}

async function bundle(name: string): Promise<void> {
  const outfile = join(cacheRoot, folderOf(name), "_esm.js");
  const result = await build({
    // A bare entry point is resolved like an import, with browser conditions.
    entryPoints: [name],
    absWorkingDir: projectRoot,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    legalComments: "none",
    logLevel: "silent",
    plugins: [linkVendoredPackages(name)]
  });
  mkdirSync(dirname(outfile), {recursive: true});
  writeFileSync(outfile, result.outputFiles[0].text);
}

function copyAssets(name: string, assets: string[]): void {
  for (const asset of assets) {
    const to = join(cacheRoot, folderOf(name), asset);
    mkdirSync(dirname(to), {recursive: true});
    copyFileSync(join(projectRoot, "node_modules", name, asset), to);
  }
}

/** Source Serif 4 (the default theme's font) inlined so no page asks Google Fonts for it. */
function writeFonts(): void {
  const files = join(projectRoot, "node_modules", "@fontsource-variable", "source-serif-4", "files");
  const face = (style: string) => {
    const data = readFileSync(join(files, `source-serif-4-latin-wght-${style}.woff2`)).toString("base64");
    return `@font-face{font-family:"Source Serif 4";font-style:${style};font-display:swap;font-weight:200 900;src:url(data:font/woff2;base64,${data}) format("woff2")}`;
  };
  writeFileSync(join(projectRoot, "src", "fonts.generated.css"), `${face("normal")}\n${face("italic")}\n`);
}

function missingFiles(): string[] {
  const missing = expectedFiles().filter((file) => !existsSync(join(cacheRoot, file)));
  if (!existsSync(join(projectRoot, "src", "fonts.generated.css"))) missing.push("src/fonts.generated.css");
  return missing;
}

async function main(): Promise<void> {
  if (process.argv.includes("--check")) {
    const missing = missingFiles();
    if (missing.length) {
      console.error(`npm cache is missing ${missing.length} file(s); run \`npm run vendor\`:`);
      for (const file of missing) console.error(`  ${relative(projectRoot, join(cacheRoot, file))}`);
      process.exit(1);
    }
    return;
  }
  for (const {name, assets = []} of packages) {
    await bundle(name);
    copyAssets(name, assets);
  }
  writeFonts();
  const missing = missingFiles();
  if (missing.length) throw new Error(`npm cache: still missing ${missing.join(", ")}`);
  console.log(`npm cache: ${packages.length} packages vendored into ${relative(projectRoot, cacheRoot)}`);
}

await main();

// docs/tables.md from the one schema in loaders/model.ts, and docs/views.md from the
// evidence views and their sources (loaders/evidence/), and docs/analysis.md's examples
// from the tested files they show, so the docs cannot drift.
//   tsx scripts/docs-tables.ts          rewrite both
//   tsx scripts/docs-tables.ts --check  fail if either is out of date
import {readFileSync, writeFileSync} from "node:fs";
import {SOURCES} from "../loaders/evidence/sources.js";
import {FLEET_QUERIES} from "../loaders/export.js";
import {viewDefinitions} from "../loaders/evidence/views.js";
import {schemas, tableNames} from "../loaders/model.js";

export function renderTablesDoc(): string {
  const parts = [
    "# Tables",
    "",
    "Generated from `loaders/model.ts` by `npm run docs`; do not edit by hand.",
    "",
    "Every bundle converts to one Parquet file per table. Every line of every file lands in exactly one place:",
    "a data table (`histograms`, `values`, `stacks`, `context`), `messages` (tool and program output),",
    "`problems` (with the reason), or the blank-line count; `captures` shows the accounting per file",
    "(`lines = data_lines + blank_lines + tool_lines + problem_lines`). Stacks are stored normalised, as",
    "pprof and Perfetto store them: each distinct frame once in `frames`, each stack as a list of frame ids",
    "(`stacks.frame_ids`), timed samples pointing at stacks (`samples.stack_id`). To read a stack's names,",
    "join `frames` on `frame_id`; to ask which stacks hold a frame, match the names in `frames` once and",
    "test the ids: `list_has_any(frame_ids, (SELECT list(frame_id) FROM frames WHERE name LIKE '%futex%'))`.",
    "",
    "Units: `us` microseconds, `ns` nanoseconds, `ms` milliseconds, `s` seconds, `bytes`, `samples`, `count`.",
    "bpftrace prints bucket bounds with K/M/G suffixes meaning powers of 1024; `lo`/`hi` hold the exact numbers.",
    ""
  ];
  for (const name of tableNames) {
    const s = schemas[name];
    parts.push(`## ${name}`, "", s.doc, "", "| column | type | meaning |", "| --- | --- | --- |");
    for (const c of s.columns) parts.push(`| \`${c.name}\` | ${c.type} | ${c.doc.replaceAll("|", "\\|")} |`);
    parts.push("");
  }
  return parts.join("\n");
}

export function renderViewsDoc(): string {
  const parts = [
    "# Evidence views",
    "",
    "Generated from `loaders/evidence/` by `npm run docs`; do not edit by hand.",
    "",
    "Findings query these views, never the tables, so they depend on what was measured and not on which tool",
    "measured it. Each view is the union of what every known source feeds it; a source is recognized from a",
    "file's content (banner, map names, column header, section labels) and written to `captures.tool`, or named",
    "by the manifest (`files[].source`). The same views exist in Node (`npm run findings`) and on every page",
    "(duckdb-wasm), so an analyst can query them too.",
    "",
    "## Sources",
    "",
    "| tool | measures | complete | feeds | what it is |",
    "| --- | --- | --- | --- | --- |",
    ...SOURCES.map((s) => `| \`${s.tool}\` | ${s.kind} | ${s.complete ? "yes" : "no: an absence in it proves nothing"} | ${Object.keys(s.feeds).map((v) => `\`${v}\``).join(", ") || "—"} | ${s.about.replaceAll("|", "\\|")} |`),
    ""
  ];
  for (const {schema, sql} of viewDefinitions()) {
    parts.push(`## ${schema.name}`, "", schema.doc, "", "| column | type | meaning |", "| --- | --- | --- |");
    for (const c of schema.columns) parts.push(`| \`${c.name}\` | ${c.type} | ${c.doc.replaceAll("|", "\\|")} |`);
    parts.push("", "<details><summary>definition</summary>", "", "```sql", sql, "```", "", "</details>", "");
  }
  return parts.join("\n");
}

/**
 * A doc with its included blocks filled in, so it shows what the tests run: each
 * `<!-- example: path -->` block holds that file as it is; each `<!-- fleet-query: name -->`
 * block holds loaders/export.ts FLEET_QUERIES[name] over the tree the marker names.
 */
export function renderIncludes(path: string): string {
  return readFileSync(path, "utf8")
    .replace(/(<!-- example: (\S+) -->\n)[\s\S]*?(<!-- \/example -->)/g, (_all, open: string, file: string, close: string) => `${open}\`\`\`ts\n${readFileSync(file, "utf8")}\`\`\`\n${close}`)
    .replace(/(<!-- fleet-query: (\w+) (\S+) -->\n)[\s\S]*?(<!-- \/fleet-query -->)/g, (_all, open: string, name: string, tree: string, close: string) => {
      const query = FLEET_QUERIES[name as keyof typeof FLEET_QUERIES];
      if (!query) throw new Error(`${path}: no fleet query named ${name}`);
      return `${open}\`\`\`sql\n${query(tree)};\n\`\`\`\n${close}`;
    });
}

const docs: [string, () => string][] = [
  ["docs/tables.md", renderTablesDoc],
  ["docs/views.md", renderViewsDoc],
  ["docs/analysis.md", () => renderIncludes("docs/analysis.md")],
  ["docs/scale.md", () => renderIncludes("docs/scale.md")]
];
if (process.argv.includes("--check")) {
  for (const [path, render] of docs) {
    if (readFileSync(path, "utf8") !== render()) {
      console.error(`${path} is out of date: run npm run docs`);
      process.exit(1);
    }
  }
} else {
  for (const [path, render] of docs) writeFileSync(path, render());
}

// docs/tables.md from the one schema in loaders/model.ts, so the docs cannot drift.
//   tsx scripts/docs-tables.ts          rewrite docs/tables.md
//   tsx scripts/docs-tables.ts --check  fail if docs/tables.md is out of date
import {readFileSync, writeFileSync} from "node:fs";
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
    "(`lines = data_lines + blank_lines + tool_lines + problem_lines`).",
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

const path = "docs/tables.md";
if (process.argv.includes("--check")) {
  if (readFileSync(path, "utf8") !== renderTablesDoc()) {
    console.error(`${path} is out of date: run npm run docs`);
    process.exit(1);
  }
} else {
  writeFileSync(path, renderTablesDoc());
}

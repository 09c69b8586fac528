// bpfbook's command line: the library without the site.
//   convert <bundle-folder> [--out <folder>] [--target <name>]...
//   fetch <folder | file.tar.gz | https-url> [--id <name>] [--window <file>=<seconds>]... [--target <name>]... [--force]
//   findings <bundle-folder>
//   capture (--pid N | --comm NAME | --container NAME) [--duration S] [--out DIR]
//   export <bundle-folder>... --to <folder>
//   check <bundle-folder>...
import {join, resolve} from "node:path";
import {parseArgs} from "node:util";
import {readBundle} from "./bundle.js";
import {tableNames} from "./model.js";
import {ArgumentError} from "./capture/target.js";
import {printable, terminalJson} from "./text.js";

// Each command loads its own modules when it runs: DuckDB's native module and the
// converter are not needed to refuse a bad archive or print usage.

const USAGE = `usage:
  npm run convert -- <bundle-folder> [--out <folder>] [--target <name>]...
  npm run fetch -- <folder | file.tar.gz | https-url> [--id <name>] [--window <file>=<seconds>]... [--target <name>]... [--force]
                  [--max-bytes <n>] [--timeout <ms>]
  npm run findings -- <bundle-folder>
  npm run capture -- (--pid N | --comm NAME | --container NAME) [--duration S] [--out DIR]
  npm run export -- <bundle-folder>... --to <folder>
  npm run check -- <bundle-folder>...`;

class UsageError extends Error {}

/** --target names: process or thread names as the kernel keeps them (comm: up to 15 bytes, no control characters). */
function checkTargets(names: string[] | undefined): string[] {
  for (const name of names ?? []) {
    if (name === "" || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name)) throw new UsageError(`--target ${JSON.stringify(name)}: expected a process or thread name`);
  }
  return names ?? [];
}

async function convert(args: string[]): Promise<number> {
  const {positionals, values} = parseArgs({args, allowPositionals: true, options: {out: {type: "string"}, target: {type: "string", multiple: true}}});
  if (positionals.length !== 1) throw new UsageError("convert takes one bundle folder");
  const targets = checkTargets(values.target);
  const bundle = readBundle(positionals[0]);
  const out = resolve(values.out ?? join("tables", bundle.id));
  const {convertToParquet} = await import("./convert.js");
  let summary;
  try {
    summary = await convertToParquet(bundle.dir, out, {strict: false, targets});
  } catch (error) {
    console.error(`bpfbook convert: could not write ${out}: ${(error as Error).message}`);
    return 1;
  }
  for (const f of summary.files) {
    const rows = tableNames.filter((t) => t !== "problems" && f.rows[t] > 0).map((t) => `${t}=${f.rows[t]}`).join(" ") || "no rows";
    const accounted = f.data_lines + f.blank_lines + f.tool_lines + f.problem_lines;
    console.log(`${printable(f.file)}  [${f.kind}, ${f.format}, ${f.tool ?? "tool not recognized"}]  ${rows}  problems=${f.problem_lines}  lines ${accounted}/${f.lines} accounted`);
  }
  const problems = summary.files.reduce((s, f) => s + f.problem_lines, 0);
  console.log(`wrote ${tableNames.length} tables to ${out} (${problems} problem lines; see problems.parquet)`);
  return 0;
}

async function fetchCommand(args: string[]): Promise<number> {
  const {positionals, values} = parseArgs({
    args,
    allowPositionals: true,
    options: {
      id: {type: "string"},
      window: {type: "string", multiple: true},
      force: {type: "boolean"},
      target: {type: "string", multiple: true},
      "max-bytes": {type: "string"},
      timeout: {type: "string"}
    }
  });
  if (positionals.length !== 1) throw new UsageError("fetch takes one source");
  const windows: Record<string, number> = {};
  for (const w of values.window ?? []) {
    const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(w);
    if (!m) throw new UsageError(`--window ${w}: expected <file>=<seconds>`);
    windows[m[1]] = Number(m[2]);
  }
  const number = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) <= 0) throw new UsageError(`--${name} takes a positive whole number`);
    return Number(text);
  };
  const {fetchBundle} = await import("./fetch.js");
  const {id, dir, manifest} = await fetchBundle(positionals[0], {
    id: values.id,
    windows,
    force: values.force,
    targets: checkTargets(values.target),
    maxBytes: number("max-bytes", values["max-bytes"]),
    timeoutMs: number("timeout", values.timeout)
  });
  console.log(`fetched ${id} into ${dir}: ${manifest.files?.length ?? 0} files, verified against manifest.json`);
  return 0;
}

async function findingsCommand(args: string[]): Promise<number> {
  const {positionals} = parseArgs({args, allowPositionals: true});
  if (positionals.length !== 1) throw new UsageError("findings takes one bundle folder");
  const [{findingsForTables}, {tablesFor}] = await Promise.all([import("./findings/node.js"), import("./cache.js")]);
  const findings = await findingsForTables(await tablesFor(positionals[0]));
  // Markup stays inert text in JSON strings; terminal controls are escaped.
  console.log(terminalJson(findings));
  return 0;
}

async function captureCommand(args: string[]): Promise<number> {
  const {values, positionals} = parseArgs({
    args,
    allowPositionals: true,
    options: {pid: {type: "string"}, comm: {type: "string"}, container: {type: "string"}, duration: {type: "string", default: "30"}, out: {type: "string"}}
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  try {
    const {capture} = await import("./capture/run.js");
    const {dir, files} = await capture({target: {pid: values.pid, comm: values.comm, container: values.container}, duration: values.duration!, out: values.out});
    const n = (status: string) => files.filter((f) => f.status === status).length;
    console.log(`captured ${dir}: ${n("ok")} ok, ${n("interrupted")} interrupted, ${n("failed")} failed, ${n("skipped")} skipped`);
    return 0;
  } catch (error) {
    if (error instanceof ArgumentError) throw new UsageError(error.message);
    throw error;
  }
}

async function exportCommand(args: string[]): Promise<number> {
  const {positionals, values} = parseArgs({args, allowPositionals: true, options: {to: {type: "string"}}});
  if (positionals.length === 0 || !values.to) throw new UsageError("export takes one or more bundle folders and --to <folder>");
  const {exportBundles} = await import("./export.js");
  const parts = await exportBundles(positionals, resolve(values.to));
  for (const p of parts) console.log(`${printable(p.path)}  ${p.rows} rows`);
  console.log(`exported ${positionals.length} bundle(s) as ${parts.length} parts under ${printable(resolve(values.to))} (table=…/host=…/capture=…/part.parquet)`);
  return 0;
}

/** Every file of each bundle against its manifest (sha256, size, nothing missing or extra). */
async function checkCommand(args: string[]): Promise<number> {
  const {positionals} = parseArgs({args, allowPositionals: true, options: {}});
  const {verify} = await import("./fetch.js");
  if (positionals.length === 0) throw new UsageError("check takes one or more bundle folders");
  let failed = 0;
  for (const dir of positionals) {
    const bundle = readBundle(dir);
    const differences = bundle.manifest ? verify(bundle.dir, bundle.manifest) : ["no manifest.json: nothing to check against (npm run fetch writes one)"];
    if (differences.length === 0) console.log(`${printable(bundle.dir)}: ok, ${bundle.manifest!.files?.length ?? 0} files match the manifest`);
    else {
      failed++;
      for (const d of differences) console.log(`${printable(bundle.dir)}: ${printable(d)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

const commands: Record<string, (args: string[]) => Promise<number>> = {
  check: checkCommand,
  export: exportCommand,
  convert,
  fetch: fetchCommand,
  findings: findingsCommand,
  capture: captureCommand
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = commands[name];
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  try {
    return await command(args);
  } catch (error) {
    const usage = error instanceof UsageError || (error as {code?: string}).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`bpfbook ${name}: ${printable((error as Error).message)}`);
    if (usage) console.error(USAGE);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

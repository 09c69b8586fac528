// bpfbook's command line: the library without the site. `bpfbook --help` lists the
// commands, `bpfbook <command> --help` describes one; each command is declared once below
// (its options, their help) and its help text is made from that declaration.
import {dirname, join, resolve} from "node:path";
import {parseArgs} from "node:util";
import {readBundle} from "./bundle.js";
import {tableNames} from "./model.js";
import {ArgumentError} from "./capture/target.js";
import {printable, terminalJson} from "./text.js";

// Each command loads its own modules when it runs: DuckDB's native module and the
// converter are not needed to refuse a bad archive or print usage.

interface Option {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help (`<folder>`). */
  value?: string;
  help: string;
}

interface Command {
  /** One line for `bpfbook --help`. */
  brief: string;
  usage: string;
  summary: string;
  options: Record<string, Option>;
  run(values: Record<string, string | boolean | (string | boolean)[] | undefined>, positionals: string[]): Promise<number>;
}

class UsageError extends Error {}

const QUIET: Record<string, Option> = {quiet: {type: "boolean", short: "q", help: "no progress on stderr (results and errors still print)"}};
const HELP: Record<string, Option> = {help: {type: "boolean", short: "h", help: "this help"}};

/** --target names: process or thread names as the kernel keeps them (comm: up to 15 bytes, no control characters). */
function checkTargets(names: string[] | undefined): string[] {
  for (const name of names ?? []) {
    if (name === "" || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name)) throw new UsageError(`--target ${JSON.stringify(name)}: expected a process or thread name`);
  }
  return names ?? [];
}

const strings = (v: unknown) => (v as string[] | undefined) ?? [];

async function findingsOf(dir: string) {
  const [{findingsForTables}, {tablesFor}] = await Promise.all([import("./findings/node.js"), import("./cache.js")]);
  return findingsForTables(await tablesFor(dir));
}

const COMMANDS: Record<string, Command> = {
  convert: {
    brief: "bundle → Parquet tables, every line accounted for",
    usage: "convert <bundle-folder> [options]",
    summary: "Parse every capture file of a bundle into Parquet tables (docs/tables.md), with every line accounted for.",
    options: {
      out: {type: "string", value: "<folder>", help: "where to write the tables (default tables/<bundle-id>)"},
      target: {type: "string", multiple: true, value: "<name>", help: "the traced process or thread name, when the bundle has no context file (repeatable)"},
      ...QUIET
    },
    async run(values, positionals) {
      if (positionals.length !== 1) throw new UsageError("convert takes one bundle folder");
      const targets = checkTargets(strings(values.target));
      const bundle = readBundle(positionals[0]);
      const out = resolve((values.out as string | undefined) ?? join("tables", bundle.id));
      const [{convertToParquet}, {progress}] = await Promise.all([import("./convert.js"), import("./progress.js")]);
      let summary;
      try {
        summary = await convertToParquet(bundle.dir, out, {strict: false, targets, progress: progress({silent: values.quiet === true})});
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
  },
  fetch: {
    brief: "bring a bundle in from a folder, a tarball or an https URL",
    usage: "fetch <folder | file.tar.gz | https-url> [options]",
    summary: "Bring an existing capture bundle into the captures folder (BPFBOOK_CAPTURES, else data/captures), checked and with a manifest.",
    options: {
      id: {type: "string", value: "<name>", help: "the bundle's id (default: the source's name)"},
      window: {type: "string", multiple: true, value: "<file>=<seconds>", help: "a file's capture window, when nothing states it (repeatable)"},
      target: {type: "string", multiple: true, value: "<name>", help: "the traced process or thread name (repeatable)"},
      force: {type: "boolean", help: "replace a bundle of the same id"},
      "max-bytes": {type: "string", value: "<n>", help: "refuse a source larger than this, unpacked (default 512 MiB, fetch.ts DEFAULT_MAX_BYTES)"},
      timeout: {type: "string", value: "<ms>", help: "give up a download after this long"},
      ...QUIET
    },
    async run(values, positionals) {
      if (positionals.length !== 1) throw new UsageError("fetch takes one source");
      const windows: Record<string, number> = {};
      for (const w of strings(values.window)) {
        const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(w);
        if (!m) throw new UsageError(`--window ${w}: expected <file>=<seconds>`);
        windows[m[1]] = Number(m[2]);
      }
      const number = (name: string) => {
        const text = values[name] as string | undefined;
        if (text === undefined) return undefined;
        if (!/^\d+$/.test(text) || Number(text) <= 0) throw new UsageError(`--${name} takes a positive whole number`);
        return Number(text);
      };
      const [{fetchBundle}, {progress}] = await Promise.all([import("./fetch.js"), import("./progress.js")]);
      const {id, dir, manifest} = await fetchBundle(positionals[0], {
        id: values.id as string | undefined,
        windows,
        force: values.force === true,
        targets: checkTargets(strings(values.target)),
        maxBytes: number("max-bytes"),
        timeoutMs: number("timeout"),
        progress: progress({silent: values.quiet === true, unit: "items"})
      });
      console.log(`fetched ${id} into ${dir}: ${manifest.files?.length ?? 0} files, verified against manifest.json`);
      return 0;
    }
  },
  sources: {
    brief: "bring in the declared sources (what build and dev do first)",
    usage: "sources [--file <sources.json>]",
    summary: "Bring every source of the sources file (--file, else BPFBOOK_SOURCES, else bpfbook.sources.json) into the captures folder: fetch what changed, capture what is declared as a capture, keep the last copy of what cannot be reached. Prints what happened to each; exits 1 if any failed.",
    options: {
      file: {type: "string", value: "<path>", help: "the sources file"}
    },
    async run(values, positionals) {
      if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
      const {describeOutcome, readSources, sourcesFile, syncSources} = await import("./sources.js");
      const file = (values.file as string | undefined) ?? sourcesFile();
      if (!file) throw new UsageError("no sources file: pass --file, set BPFBOOK_SOURCES or write bpfbook.sources.json");
      const outcomes = await syncSources(readSources(resolve(file)), {base: dirname(resolve(file)), log: (line) => console.error(line)});
      for (const o of outcomes) console.log(describeOutcome(o));
      return outcomes.some((o) => o.action === "failed") ? 1 : 0;
    }
  },
  findings: {
    brief: "the findings of a bundle as JSON (findings.json)",
    usage: "findings <bundle-folder>",
    summary: "Print the bundle's findings as JSON: the findings.json document the build writes (docs/findings.schema.json).",
    options: {},
    async run(_values, positionals) {
      if (positionals.length !== 1) throw new UsageError("findings takes one bundle folder");
      const {findingsDocument} = await import("./findings/document.js");
      // Markup stays inert text in JSON strings; terminal controls are escaped.
      console.log(terminalJson(findingsDocument(readBundle(positionals[0]).id, await findingsOf(positionals[0]))));
      return 0;
    }
  },
  gate: {
    brief: "exit 1 when findings cross a line, or regressed against a baseline (CI)",
    usage: "gate <bundle-folder> (--fail-on <level> | --baseline <bundle-folder>) [options]",
    summary: "Exit 1 when the bundle's findings cross a line: a finding at or above a severity, or a regression against a baseline capture (a verdict that got worse, a percentile bucket that moved up by --factor, a share that grew beyond its 95% interval). For CI.",
    options: {
      "fail-on": {type: "string", value: "warning|critical", help: "fail on any finding of this severity or worse"},
      baseline: {type: "string", value: "<bundle-folder>", help: "compare against this earlier capture's findings"},
      factor: {type: "string", value: "<n>", help: "how far a percentile bucket may move up against the baseline (default 2)"},
      json: {type: "boolean", help: "print the result as JSON"}
    },
    async run(values, positionals) {
      if (positionals.length !== 1) throw new UsageError("gate takes one bundle folder");
      const failOn = values["fail-on"] as string | undefined;
      const baseline = values.baseline as string | undefined;
      const {LEVELS, atOrAbove, regressions} = await import("./gate.js");
      if (failOn === undefined && baseline === undefined) throw new UsageError("gate needs --fail-on, --baseline or both");
      if (failOn !== undefined && !(LEVELS as string[]).includes(failOn)) throw new UsageError(`--fail-on ${failOn}: expected ${LEVELS.join(" or ")}`);
      const factorText = (values.factor as string | undefined) ?? "2";
      if (!/^\d+(\.\d+)?$/.test(factorText) || Number(factorText) <= 1) throw new UsageError(`--factor ${factorText}: expected a number above 1`);
      const bundle = readBundle(positionals[0]);
      const current = await findingsOf(bundle.dir);
      const failures = [
        ...(failOn ? atOrAbove(current, failOn as "warning" | "critical") : []),
        ...(baseline ? regressions(current, await findingsOf(readBundle(baseline).dir), {factor: Number(factorText), specs: await (await import("./findings/user.js")).loadFindings()}) : [])
      ];
      if (values.json) {
        console.log(terminalJson({version: 1, bundle: bundle.id, baseline: baseline ? readBundle(baseline).id : null, fail_on: failOn ?? null, factor: Number(factorText), passed: failures.length === 0, failures}));
      } else {
        for (const f of failures) console.log(`FAIL ${printable(f.message)}`);
        console.log(failures.length ? `gate: ${failures.length} failure(s) in ${printable(bundle.id)}` : `gate: ${printable(bundle.id)} passed`);
      }
      return failures.length ? 1 : 0;
    }
  },
  capture: {
    brief: "record a bundle from a live process (root; bpftrace and perf)",
    usage: "capture (--pid <n> | --comm <name> | --container <name>) [options]",
    summary: "Record a capture bundle from a live process: fsync, block I/O, off-CPU, write-path syscalls (bpftrace, per second) and an on-CPU profile (perf). Needs root.",
    options: {
      pid: {type: "string", value: "<n>", help: "the target's process id"},
      comm: {type: "string", value: "<name>", help: "the target's process name"},
      container: {type: "string", value: "<name>", help: "a container's name or id (its main process)"},
      duration: {type: "string", value: "<seconds>", help: "how long to record (default 30)"},
      out: {type: "string", value: "<folder>", help: "where to write the bundle (default: a new folder in the captures folder)"},
      ...QUIET
    },
    async run(values, positionals) {
      if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
      try {
        const {capture} = await import("./capture/run.js");
        const {dir, files} = await capture({
          target: {pid: values.pid as string | undefined, comm: values.comm as string | undefined, container: values.container as string | undefined},
          duration: (values.duration as string | undefined) ?? "30",
          out: values.out as string | undefined,
          log: values.quiet === true ? () => {} : undefined
        });
        const n = (status: string) => files.filter((f) => f.status === status).length;
        console.log(`captured ${dir}: ${n("ok")} ok, ${n("interrupted")} interrupted, ${n("failed")} failed, ${n("skipped")} skipped`);
        return 0;
      } catch (error) {
        if (error instanceof ArgumentError) throw new UsageError(error.message);
        throw error;
      }
    }
  },
  export: {
    brief: "bundles as a partitioned Parquet dataset",
    usage: "export <bundle-folder>... --to <folder> [options]",
    summary: "Write bundles' tables as a Hive-partitioned Parquet dataset (table=…/host=…/capture=…/part.parquet) for object storage and fleet queries.",
    options: {to: {type: "string", value: "<folder>", help: "the dataset's folder"}, ...QUIET},
    async run(values, positionals) {
      if (positionals.length === 0 || !values.to) throw new UsageError("export takes one or more bundle folders and --to <folder>");
      const [{exportBundles}, {progress}] = await Promise.all([import("./export.js"), import("./progress.js")]);
      const to = resolve(values.to as string);
      const parts = await exportBundles(positionals, to, progress({silent: values.quiet === true, unit: "items"}));
      for (const p of parts) console.log(`${printable(p.path)}  ${p.rows} rows`);
      console.log(`exported ${positionals.length} bundle(s) as ${parts.length} parts under ${printable(to)} (table=…/host=…/capture=…/part.parquet)`);
      return 0;
    }
  },
  check: {
    brief: "check bundles against their manifests",
    usage: "check <bundle-folder>...",
    summary: "Check every file of each bundle against its manifest (sha256, size, nothing missing or extra); exit 1 on any difference.",
    options: {},
    async run(_values, positionals) {
      const {verify} = await import("./fetch.js");
      if (positionals.length === 0) throw new UsageError("check takes one or more bundle folders");
      let failed = 0;
      for (const dir of positionals) {
        const bundle = readBundle(dir);
        const differences = bundle.manifest ? verify(bundle.dir, bundle.manifest) : ["no manifest.json: nothing to check against (bpfbook fetch writes one)"];
        if (differences.length === 0) console.log(`${printable(bundle.dir)}: ok, ${bundle.manifest!.files?.length ?? 0} files match the manifest`);
        else {
          failed++;
          for (const d of differences) console.log(`${printable(bundle.dir)}: ${printable(d)}`);
        }
      }
      return failed === 0 ? 0 : 1;
    }
  }
};

/** A command's help: usage, what it does, its options. */
function commandHelp(name: string): string {
  const command = COMMANDS[name];
  const options = Object.entries({...command.options, ...HELP}).map(([long, o]) => [`${o.short ? `-${o.short}, ` : "    "}--${long}${o.value ? ` ${o.value}` : ""}`, o.help]);
  const width = Math.max(...options.map(([flag]) => flag.length));
  return [`usage: bpfbook ${command.usage}`, "", command.summary, "", "options:", ...options.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`)].join("\n");
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    "usage: bpfbook <command> [options]     (from a clone: npx bpfbook …, or npm run <command> -- …)",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.brief}`),
    "",
    "bpfbook <command> --help describes a command and its options."
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    console.log(mainHelp());
    return 0;
  }
  const command = COMMANDS[name ?? ""];
  if (!command) {
    if (name !== undefined) console.error(`bpfbook: unknown command ${JSON.stringify(printable(name))}`);
    console.error(mainHelp());
    return 2;
  }
  try {
    const options = Object.fromEntries(
      Object.entries({...command.options, ...HELP}).map(([k, o]) => [k, {type: o.type, multiple: o.multiple === true, ...(o.short ? {short: o.short} : {})}])
    );
    const {values, positionals} = parseArgs({args, allowPositionals: true, strict: true, options});
    if (values.help) {
      console.log(commandHelp(name));
      return 0;
    }
    return await command.run(values, positionals);
  } catch (error) {
    const usage = error instanceof UsageError || (error as {code?: string}).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`bpfbook ${name}: ${printable((error as Error).message)}`);
    if (usage) console.error(`\n${commandHelp(name)}`);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

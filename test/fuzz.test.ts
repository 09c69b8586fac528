// Fuzzing with a fixed time budget (BPFBOOK_FUZZ_SECONDS, default 20): random bytes,
// truncated files and mutations of real capture files, through every parser. Nothing may
// throw, and every line read must be data, blank, tool output or a recorded problem.
// The seed is printed (BPFBOOK_FUZZ_SEED replays a run).
import assert from "node:assert/strict";
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import type {Format} from "../loaders/bundle.js";
import {convertToParquet, parserFor} from "../loaders/convert.js";
import {openTables} from "../loaders/findings/node.js";
import {readLines} from "../loaders/lines.js";
import {Collector, REFERENCE, namedStacks, reconciles, tempDir} from "./helpers.js";
import {HOSTILE_BYTES} from "./hostile.js";

const BUDGET_MS = Number(process.env.BPFBOOK_FUZZ_SECONDS ?? 20) * 1000;
const SEED = Number(process.env.BPFBOOK_FUZZ_SEED ?? Date.now() % 2 ** 31);
const FORMATS: Format[] = ["bpftrace-text", "bpftrace-json", "perf-script", "folded", "bcc-histogram", "bcc-stacks", "table", "context", "document"];

let state = SEED || 1;
/** xorshift32: small, fast and replayable from the seed. */
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
}
const below = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: T[]): T => xs[below(xs.length)];

/** Real captures to cut and mutate: the reference bundle (when present), the embedded ones, fixtures. */
function seeds(): Buffer[] {
  const folders = [REFERENCE, join("data", "captures", "demo-fsync"), join("data", "captures", "demo-nofsync"), join("test", "fixtures", "real"), join("test", "fixtures", "hostile"), join("test", "fixtures", "bcc"), join("test", "fixtures", "bpftrace-json")];
  return folders.filter(existsSync).flatMap((dir) => readdirSync(dir).filter((f) => !f.endsWith(".json") || f === "aggregations.json").map((f) => readFileSync(join(dir, f))));
}

const ALPHABET = Buffer.from("@[]:,;() \t\n\n\n0123456789abcdefxK|{}\"'\\+-.");
function randomBytes(): Buffer {
  const out = Buffer.alloc(below(4096));
  for (let i = 0; i < out.length; i++) out[i] = random() < 0.6 ? ALPHABET[below(ALPHABET.length)] : below(256);
  return out;
}

function mutate(input: Buffer, ops: number): Buffer {
  let lines = input.toString("latin1").split("\n");
  for (let i = 0; i < ops; i++) {
    if (lines.length === 0) lines = [""];
    const at = below(lines.length);
    switch (below(7)) {
      case 0: // flip a byte
        if (lines[at].length) lines[at] = lines[at].slice(0, below(lines[at].length)) + String.fromCharCode(below(256)) + lines[at].slice(below(lines[at].length) + 1);
        break;
      case 1:
        lines.splice(at, 1);
        break;
      case 2:
        lines.splice(at, 0, lines[below(lines.length)] ?? "");
        break;
      case 3: // hostile text into a line
        lines[at] = (lines[at] ?? "") + pick(HOSTILE_BYTES).toString("latin1");
        break;
      case 4:
        lines.splice(at, 0, randomBytes().subarray(0, 200).toString("latin1"));
        break;
      case 5:
        [lines[at], lines[0]] = [lines[0], lines[at]];
        break;
      case 6:
        lines = lines.slice(0, at + 1);
        break;
    }
  }
  return Buffer.from(lines.join("\n"), "latin1");
}

async function linesOf(path: string) {
  const lines = [];
  for await (const line of readLines(path)) lines.push(line);
  return lines;
}

test(`fuzzed inputs through every parser: nothing throws, every line is accounted for (seed ${SEED})`, async (t) => {
  const sources = seeds();
  assert.ok(sources.length > 5, "real files to mutate");
  const dir = tempDir("fuzz");
  const figures = {inputs: 0, random: 0, truncated: 0, mutated: 0, mutations: 0, parses: 0, lines: 0, accounted: 0, problems: 0};
  const started = Date.now();
  while (Date.now() - started < BUDGET_MS) {
    const kind = pick(["random", "truncated", "mutated"] as const);
    let input: Buffer;
    if (kind === "random") input = randomBytes();
    else if (kind === "truncated") {
      const source = pick(sources);
      input = source.subarray(0, below(source.length + 1));
    } else {
      const ops = 1 + below(8);
      figures.mutations += ops;
      input = mutate(pick(sources), ops);
    }
    figures.inputs++;
    figures[kind]++;
    const path = join(dir, "input");
    writeFileSync(path, input);
    const lines = await linesOf(path);
    for (const format of FORMATS) {
      const sink = new Collector();
      const parser = parserFor(format, {capture_id: "fuzz", file: "input"}, sink);
      try {
        for (const line of lines) parser.push(line);
        const {counts} = parser.end();
        assert.equal(counts.lines, lines.length, `${format}: lines counted`);
        assert.ok(reconciles(counts), `${format}: ${JSON.stringify(counts)}`);
        assert.equal(sink.rows("problems").length, counts.problem_lines, `${format}: one problem row per problem line`);
        figures.parses++;
        figures.lines += counts.lines;
        figures.accounted += counts.data_lines + counts.blank_lines + counts.tool_lines + counts.problem_lines;
        figures.problems += counts.problem_lines;
      } catch (error) {
        const keep = join(dir, `failing-${figures.inputs}`);
        writeFileSync(keep, input);
        throw new Error(`${format} on a ${kind} input (kept at ${keep}, seed ${SEED}): ${(error as Error).message}`);
      }
    }
  }
  t.diagnostic(`fuzz: ${JSON.stringify(figures)} in ${((Date.now() - started) / 1000).toFixed(0)} s, seed ${SEED}`);
  console.log(`fuzz figures: ${JSON.stringify({...figures, seed: SEED, seconds: BUDGET_MS / 1000})}`);
  assert.ok(figures.inputs > 100, "the budget covered a useful number of inputs");
  assert.equal(figures.accounted, figures.lines);
});

test(`mutated folded profiles: the bulk path and the line parser agree (seed ${SEED})`, async () => {
  const folded = seeds().filter((b) => /^[^\n]*;[^\n]* \d+\n/.test(b.toString("utf8", 0, 2000)));
  assert.ok(folded.length > 0);
  const started = Date.now();
  let n = 0;
  while (Date.now() - started < BUDGET_MS / 4 || n < 5) {
    const dir = join(tempDir("fuzz-folded"), "b");
    mkdirSync(dir);
    writeFileSync(join(dir, "05-oncpu.folded"), mutate(pick(folded), 1 + below(6)));
    const read = async (bulk: boolean) => {
      const out = join(tempDir("fuzz-folded-out"), "t");
      const summary = await convertToParquet(dir, out, {strict: false, bulk});
      const db = await openTables(out);
      const rows = [await namedStacks(db.query, "SELECT * FROM stacks ORDER BY line"), await db.query("SELECT * FROM problems ORDER BY line")];
      db.close();
      return {summary, rows};
    };
    assert.deepEqual(await read(true), await read(false), `seed ${SEED}, case ${n}`);
    n++;
  }
  console.log(`fuzz figures: ${n} mutated folded profiles converted both ways, identical`);
});

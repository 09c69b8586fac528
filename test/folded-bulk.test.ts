// The bulk folded path (DuckDB reads the file) must give exactly the tables the
// line-by-line parser gives, on the reference capture and on awkward inputs.
import assert from "node:assert/strict";
import {copyFileSync, mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {convertToParquet} from "../loaders/convert.js";
import {openTables} from "../loaders/findings/node.js";
import {plainLineCount} from "../loaders/parse/folded-bulk.js";
import {namedStacks, reference, tempDir} from "./helpers.js";

async function tablesOf(bundle: string, bulk: boolean) {
  const out = join(tempDir("bulk-out"), "t");
  const summary = await convertToParquet(bundle, out, {strict: false, bulk});
  const db = await openTables(out);
  const read = (sql: string) => db.query(sql);
  // Frame ids are the paths' own (bulk numbers frames by name, line by line by first
  // appearance): the stacks compare by their frames' names, the frames table as a set.
  const tables = {
    stacks: await namedStacks(read, `SELECT * FROM stacks ORDER BY file, line`),
    frames: (await read(`SELECT name FROM frames ORDER BY name`)).map((f) => f.name),
    distinctFrames: (await read(`SELECT count(DISTINCT name) = count(*) AND max(frame_id) = count(*) AS ok FROM frames`))[0].ok,
    problems: await read(`SELECT * FROM problems ORDER BY file, line`),
    captures: await read(`SELECT * FROM captures ORDER BY file`)
  };
  db.close();
  return {summary, tables};
}

function bundleOf(name: string, bytes: string | Buffer): string {
  const dir = join(tempDir("bulk"), "b");
  mkdirSync(dir);
  writeFileSync(join(dir, name), bytes);
  return dir;
}

async function assertSame(bundle: string): Promise<void> {
  const bulk = await tablesOf(bundle, true);
  const lines = await tablesOf(bundle, false);
  assert.deepEqual(bulk.tables, lines.tables);
  assert.deepEqual(bulk.summary, lines.summary);
}

test("the reference profile converts identically in bulk and line by line", async (t) => {
  const ref = reference(t);
  if (!ref) return;
  const dir = join(tempDir("bulk-ref"), "qfc");
  mkdirSync(dir);
  copyFileSync(join(ref, "05-oncpu.folded"), join(dir, "05-oncpu.folded"));
  assert.notEqual(await plainLineCount(join(dir, "05-oncpu.folded")), null, "the reference profile takes the bulk path");
  await assertSame(dir);
});

const awkward: Record<string, string | Buffer> = {
  "every line a stack, no final newline": "a;b 3\nc;d e;f 5\nx 1",
  "every line a stack, spaces and tabs before counts": "e;f  9\na \t 5\na 5 \t 7\n<impl Foo for Bar>::baz;x y 3\na; 5\n;; 2\n\tx 1\n",
  "every line a stack, CRLF": "a;b 3\r\nc d 4\r\nz 0\r\n",
  "problems between stacks": "a;b 3\nno count here\nc 0x5\n;; 2\nd\t7\n a 1\ne;f  9\n",
  "carriage returns": "a;b 3\r\nc 4\r\nnope\r\nd 1\r\r\ne\rf 2\n",
  "whitespace-only lines": "a 1\n \t \nb 2\n",
  "control characters and U+FFFD": "a\u0007b 1\nc\u001bd 2\ne\ufffd 3\nok 4\n",
  "unicode, markup and right-to-left marks": "<script>alert(1)</script>;\u202eevil 3\n日本語;ü 2\n𝄞;emoji😀 1\n",
  "huge counts": "a 99999999999999999999999\nb 18446744073709551616\n",
  "long problem line": `${"x".repeat(5000)}\u{1F600}${"y".repeat(100)}\n${"😀".repeat(600)}\nz 1\n`,
  // These must fall back to the line parser, which then decides:
  "blank lines": "a 1\n\nb 2\n\n",
  "the separator byte": "a\u0001b 1\nc 2\n",
  "a leading empty line": "\na 1\n"
};

for (const [name, text] of Object.entries(awkward)) {
  test(`folded, ${name}: bulk and line-by-line agree`, async () => {
    await assertSame(bundleOf("05-oncpu.folded", text));
  });
}

test("invalid UTF-8 takes the line parser, which records the line as a problem", async () => {
  const dir = bundleOf("05-oncpu.folded", Buffer.from([0x61, 0x20, 0x31, 0x0a, 0x62, 0xff, 0xfe, 0x20, 0x32, 0x0a]));
  assert.equal(await plainLineCount(join(dir, "05-oncpu.folded")), null);
  const {tables} = await tablesOf(dir, true);
  assert.equal(tables.stacks.length, 1);
  assert.deepEqual(tables.problems.map((p) => [p.line, p.reason]), [[2, "binary or undecodable data"]]);
});

test("only plain text with one line per \\n takes the bulk path", async () => {
  const eligible = async (text: string) => (await plainLineCount(join(bundleOf("x.folded", text), "x.folded"))) !== null;
  assert.equal(await eligible("a 1\r\nb 2\r\n"), true);
  assert.equal(await eligible("a 1\nb 2"), true);
  for (const text of ["a 1\r\r\n", "a\rb 1\n", "a 1\n\nb 2\n", "\na 1\n", "a 1\r", "a\u0001 1\n", ""]) {
    assert.equal(await eligible(text), false, JSON.stringify(text));
  }
});

// Line numbers come from pairing DuckDB's scan with 1…n by position: on a file spanning
// many of its read buffers, every row must still get its own line.
for (const [name, problemEvery] of [["every line a stack", 0], ["a problem line every 10,000", 10_000]] as const) {
  test(`folded, 40 MB, ${name}: each stack keeps its own line number`, async () => {
    const dir = join(tempDir("bulk-big"), "b");
    mkdirSync(dir);
    const path = join(dir, "05-oncpu.folded");
    const lines: string[] = [];
    // Lines of varied length whose count is their own line number.
    for (let n = 1; lines.length === 0 || lines.join("\n").length < 40e6; ) {
      const block: string[] = [];
      for (let k = 0; k < 10_000; k++, n++) {
        block.push(problemEvery && n % problemEvery === 0 ? `no count (line ${n})` : `root;mid_${n % 97};${"leaf".repeat(1 + (n % 150))} ${n}`);
      }
      lines.push(block.join("\n"));
    }
    writeFileSync(path, lines.join("\n") + "\n");
    const out = join(tempDir("bulk-big-out"), "t");
    const summary = await convertToParquet(dir, out, {strict: false});
    const db = await openTables(out);
    const [check] = await db.query(`
      SELECT count(*) AS stacks, count(*) FILTER (value <> line) AS misnumbered,
             count(*) FILTER (stack_id <> line - line // ${problemEvery || 1e12}) AS misidentified,
             (SELECT count(*) FROM problems WHERE text <> 'no count (line ' || line || ')') AS misplaced_problems
      FROM stacks`);
    db.close();
    const [file] = summary.files;
    assert.ok(file.lines > 100_000, `${file.lines} lines`);
    assert.equal(Number(check.stacks), file.data_lines);
    assert.equal(file.problem_lines, problemEvery ? Math.floor(file.lines / problemEvery) : 0);
    assert.deepEqual([check.misnumbered, check.misidentified, check.misplaced_problems].map(Number), [0, 0, 0]);
  });
}

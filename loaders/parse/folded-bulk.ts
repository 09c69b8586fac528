// Large folded files converted inside DuckDB: its CSV reader splits the lines and the
// stack rows go straight from the file to Parquet at write time, never through
// JavaScript. The rules are folded.ts's, in SQL. DuckDB's reader skips empty lines and
// splits at a lone \r, which would shift line numbers, so a quick byte-level pass first
// decides whether the file is plain enough (valid UTF-8, no empty lines, \r only in \r\n,
// no \x01, which serves as the never-seen column separator). If not, or if DuckDB counts
// the lines differently, the caller parses the file line by line instead.

import {isUtf8} from "node:buffer";
import {createReadStream} from "node:fs";
import {MAX_LINE_LENGTH} from "../lines.js";
import {type LineCounts, schemas} from "../model.js";
import type {FileRef} from "./bpftrace-text.js";
import {PROBLEM_TEXT_LENGTH} from "./folded.js";
import {sqlString} from "../sql.js";

/** What the bulk path needs of the Parquet writer. */
export interface BulkTarget {
  run(sql: string): Promise<void>;
  one(sql: string): Promise<Record<string, unknown>>;
  /** Rows DuckDB produces from `select` when the table is written. */
  addBulkRows(table: "stacks", select: string): void;
}

export interface BulkResult {
  counts: LineCounts;
  recognized: boolean;
  rows: {stacks: number; problems: number};
}

const SEPARATOR = "\u0001";

/** Lines in the file if DuckDB's reader will see exactly them, else null. */
export async function plainLineCount(path: string): Promise<number | null> {
  let lines = 0;
  let carry = Buffer.alloc(0);
  let previous = 0x0a; // a file starting with an empty line looks like "\n\n"
  let bytes = 0;
  for await (const chunk of createReadStream(path, {highWaterMark: 1 << 22}) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (chunk.indexOf(1) !== -1) return null;
    // Only whole lines are checked for UTF-8, so a character split across chunks is not flagged.
    const lastNewline = chunk.lastIndexOf(0x0a);
    const whole = lastNewline === -1 ? null : Buffer.concat([carry, chunk.subarray(0, lastNewline + 1)]);
    if (whole) {
      if (!isUtf8(whole)) return null;
      // DuckDB's reader treats a lone \r as a line end too; only plain \r\n may pass.
      for (let i = whole.indexOf(0x0d); i !== -1; i = whole.indexOf(0x0d, i + 1)) {
        if (whole[i + 1] !== 0x0a || (i > 0 && whole[i - 1] === 0x0d)) return null;
      }
      for (let i = whole.indexOf(0x0a); i !== -1; i = whole.indexOf(0x0a, i + 1)) {
        lines++;
        const before = i > 0 ? whole[i - 1] : previous;
        const beforeThat = i > 1 ? whole[i - 2] : 0x0a;
        if (before === 0x0a || (before === 0x0d && beforeThat === 0x0a)) return null;
      }
      previous = 0x0a;
      carry = Buffer.from(chunk.subarray(lastNewline + 1));
    } else {
      carry = Buffer.concat([carry, chunk]);
    }
    if (carry.length > MAX_LINE_LENGTH) return null;
  }
  if (carry.length > 0) {
    if (!isUtf8(carry) || carry.includes(0x0d)) return null;
    lines++;
  }
  return bytes === 0 ? null : lines;
}

/** Converts a folded file in DuckDB, or returns null when the line-by-line parser must. */
export async function convertFoldedInBulk(target: BulkTarget, path: string, ref: FileRef): Promise<BulkResult | null> {
  if (/[*?[\]{}]/.test(path)) return null; // DuckDB would glob these
  const lines = await plainLineCount(path);
  if (lines === null) return null;
  let counts: Record<string, unknown>;
  try {
    // Counting needs no line numbers, so this scan runs on all cores.
    counts = await target.one(`
      SELECT count(*) AS lines, count(*) FILTER (reason IS NULL AND NOT blank) AS data, count(*) FILTER (blank) AS blank,
             count(*) FILTER (reason IS NOT NULL) AS problems, count(*) FILTER (rest IS NOT NULL) AS split
      FROM (${classifiedLines(path, ref, false)})`);
  } catch {
    return null; // e.g. a line over DuckDB's maximum line size
  }
  if (Number(counts.lines) !== lines || Number(counts.split) > 0) return null;
  const data = Number(counts.data);
  const problems = Number(counts.problems);
  if (problems > 0) {
    await target.run(`
      INSERT INTO problems SELECT capture_id, file, line, text[:${PROBLEM_TEXT_LENGTH}], reason
      FROM (${classifiedLines(path, ref, true)}) WHERE reason IS NOT NULL`);
  }
  target.addBulkRows("stacks", data === lines ? everyLineAStack(path, ref) : someLinesStacks(path, ref));
  return {
    counts: {lines, data_lines: data, blank_lines: Number(counts.blank), tool_lines: 0, problem_lines: problems},
    recognized: data > 0,
    rows: {stacks: data, problems}
  };
}

const stackColumns = (stackId: string) => `
  capture_id, file, NULL::VARCHAR AS map, NULL::VARCHAR AS key, ${stackId} AS stack_id, string_split(head, ';') AS frames,
  tally::DOUBLE AS value, 'samples' AS unit, false AS bookkeeping, line::INTEGER AS line`;

/** The common case: the stack id is the line number and nothing needs classifying. */
function everyLineAStack(path: string, ref: FileRef): string {
  return `SELECT ${stackColumns("line::INTEGER")} FROM (${splitLines(path, ref, true)})`;
}

/** Stack ids count data lines only, skipping blank and problem lines. */
function someLinesStacks(path: string, ref: FileRef): string {
  const stackId = "(sum(CASE WHEN reason IS NULL AND NOT blank THEN 1 ELSE 0 END) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))::INTEGER";
  return `SELECT ${stackColumns("stack_id")} FROM (SELECT *, ${stackId} AS stack_id FROM (${classifiedLines(path, ref, true)})) WHERE reason IS NULL AND NOT blank`;
}

/** Every line split at its last space; numbering lines makes the scan run on one core. */
function splitLines(path: string, ref: FileRef, numbered: boolean): string {
  const source = `read_csv(${sqlString(path)}, columns = {'text': 'VARCHAR', 'rest': 'VARCHAR'}, header = false,
    delim = ${sqlString(SEPARATOR)}, quote = '', escape = '', auto_detect = false, new_line = '\\n',
    strict_mode = false, null_padding = true)`;
  return `
    SELECT ${sqlString(ref.capture_id)} AS capture_id, ${sqlString(ref.file)} AS file, *,
           rtrim(left(text, space - 1), ' ' || chr(9)) AS head, substr(text, space + 1) AS tally
    FROM (
      SELECT *, CASE WHEN strpos(reverse(text), ' ') = 0 THEN 0 ELSE length(text) - strpos(reverse(text), ' ') + 1 END AS space
      FROM (
        SELECT line, CASE WHEN suffix(raw, chr(13)) THEN left(raw, length(raw) - 1) ELSE raw END AS text, rest
        FROM (SELECT ${numbered ? "row_number() OVER ()" : "NULL::BIGINT"} AS line, coalesce(text, '') AS raw, rest FROM ${source})))`;
}

/** Every line with, when it is not a stack, why: folded.ts's rules in the same order. */
function classifiedLines(path: string, ref: FileRef, numbered: boolean): string {
  return `
    SELECT *,
      CASE WHEN length(text) > ${MAX_LINE_LENGTH} THEN 'line too long'
           WHEN blank THEN NULL
           WHEN regexp_matches(text, '[\\x00-\\x08\\x0b-\\x1f\\x7f\\x{fffd}]') THEN 'binary or undecodable data'
           WHEN space = 0 OR head = '' OR NOT regexp_full_match(tally, '[0-9]+') THEN 'not a folded stack: expected ''frame;frame;... count'''
      END AS reason
    FROM (SELECT *, length(text) <= ${MAX_LINE_LENGTH} AND regexp_full_match(text, '[ \\t]*') AS blank FROM (${splitLines(path, ref, numbered)}))`;
}

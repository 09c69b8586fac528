// Large folded files converted inside DuckDB: its CSV reader splits the lines and the
// stack rows go straight from the file to Parquet at write time, never through
// JavaScript. The rules are folded.ts's, in SQL. DuckDB's reader skips empty lines and
// splits at a lone \r, which would shift line numbers, so a quick byte-level pass first
// decides whether the file is plain enough (valid UTF-8, no empty lines, \r only in \r\n,
// no \x01, which serves as the never-seen column separator). If not, or if DuckDB counts
// the lines differently, the caller parses the file line by line instead.

import {isUtf8} from "node:buffer";
import {MAX_LINE_LENGTH, readChunks} from "../lines.js";
import {type LineCounts, schemas} from "../model.js";
import {type FileRef, PROBLEM_TEXT_LENGTH} from "./common.js";
import {sqlString} from "../sql.js";

/** What the bulk path needs of the Parquet writer. */
export interface BulkTarget {
  run(sql: string): Promise<void>;
  one(sql: string): Promise<Record<string, unknown>>;
  /**
   * Stack rows DuckDB produces from `select` when the tables are written, their frame
   * names in a list column `frames`; `names` selects (capture_id, name) for every frame
   * of them, in any order, so the frames can be numbered in a quicker scan first.
   */
  addBulkStacks(select: string, names: string): void;
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
  let carry = Buffer.alloc(0); // the unfinished last line of the previous chunk
  let bytes = 0;
  for await (const chunk of readChunks(path, 1 << 22)) {
    if (bytes === 0 && chunk[0] === 0x0a) return null; // a leading empty line
    bytes += chunk.length;
    const first = chunk.indexOf(0x0a);
    if (first === -1) {
      carry = Buffer.concat([carry, chunk]);
      if (carry.length > MAX_LINE_LENGTH) return null;
      continue;
    }
    // Whole native scans per chunk; only the line straddling two chunks is copied.
    const head = Buffer.concat([carry, chunk.subarray(0, first + 1)]);
    const last = chunk.lastIndexOf(0x0a);
    const body = chunk.subarray(first + 1, last + 1);
    if (!plain(head) || !plain(body) || (head.length === 1 && lines > 0) || body[0] === 0x0a) return null;
    lines += 1 + countNewlines(body);
    carry = Buffer.from(chunk.subarray(last + 1));
    if (carry.length > MAX_LINE_LENGTH) return null;
  }
  if (carry.length > 0) {
    if (!plain(carry) || carry.includes(0x0d)) return null;
    lines++;
  }
  return bytes === 0 ? null : lines;
}

/** Whole lines DuckDB reads as they are: valid UTF-8, no separator byte, no empty line, \r only in \r\n. */
function plain(whole: Buffer): boolean {
  if (whole.indexOf(1) !== -1 || whole.indexOf("\n\n") !== -1 || whole.indexOf("\n\r\n") !== -1 || !isUtf8(whole)) return false;
  if (whole[0] === 0x0d && whole[1] === 0x0a) return false; // an empty \r\n line at a chunk's start
  for (let i = whole.indexOf(0x0d); i !== -1; i = whole.indexOf(0x0d, i + 1)) {
    if (whole[i + 1] !== 0x0a) return false; // DuckDB's reader treats a lone \r as a line end too
  }
  return true;
}

function countNewlines(buffer: Buffer): number {
  let n = 0;
  for (let i = buffer.indexOf(0x0a); i !== -1; i = buffer.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Converts a folded file in DuckDB, or returns null when the line-by-line parser must. */
export async function convertFoldedInBulk(target: BulkTarget, path: string, ref: FileRef): Promise<BulkResult | null> {
  if (/[*?[\]{}]/.test(path)) return null; // DuckDB would glob these
  const lines = await plainLineCount(path);
  if (lines === null) return null;
  let shape: Record<string, unknown>;
  try {
    // One scan on all cores (no line numbers needed) tells whether every line is a stack.
    shape = await target.one(`
      SELECT count(*) AS lines, count(*) FILTER (rest IS NOT NULL) AS split,
             count(*) FILTER (NOT (strlen(raw) <= ${MAX_LINE_LENGTH} AND regexp_full_match(raw, '${STACK_LINE}'))) AS irregular
      FROM (SELECT coalesce(text, '') AS raw, rest FROM ${source(path)})`);
  } catch {
    return null; // e.g. a line over DuckDB's maximum line size
  }
  if (Number(shape.lines) !== lines || Number(shape.split) > 0) return null;
  if (Number(shape.irregular) === 0) {
    target.addBulkStacks(everyLineAStack(path, ref, lines), frameNames(everyLineAStack(path, ref, null)));
    return {
      counts: {lines, data_lines: lines, blank_lines: 0, tool_lines: 0, problem_lines: 0},
      recognized: true,
      rows: {stacks: lines, problems: 0}
    };
  }
  // Some lines are blank or problems: classify each line as folded.ts does (slower).
  const counts = await target.one(`
    SELECT count(*) FILTER (reason IS NULL AND NOT blank) AS data, count(*) FILTER (blank) AS blank,
           count(*) FILTER (reason IS NOT NULL) AS problems
    FROM (${classifiedLines(path, ref, null)})`);
  const data = Number(counts.data);
  const problems = Number(counts.problems);
  if (problems > 0) {
    await target.run(`
      INSERT INTO problems SELECT capture_id, file, line, text[:${PROBLEM_TEXT_LENGTH}], reason
      FROM (${classifiedLines(path, ref, lines)}) WHERE reason IS NOT NULL`);
  }
  target.addBulkStacks(someLinesStacks(path, ref, lines), frameNames(`SELECT capture_id, string_split(head, ';') AS frames FROM (${classifiedLines(path, ref, null)}) WHERE reason IS NULL AND NOT blank`));
  return {
    counts: {lines, data_lines: data, blank_lines: Number(counts.blank), tool_lines: 0, problem_lines: problems},
    recognized: data > 0,
    rows: {stacks: data, problems}
  };
}

/** Every frame name of the stacks `select` gives (its `frames`). */
const frameNames = (select: string) => `SELECT capture_id, unnest(frames) AS name FROM (${select})`;

const stackColumns = (stackId: string) => `
  capture_id, file, NULL::VARCHAR AS map, NULL::VARCHAR AS key, ${stackId} AS stack_id, string_split(head, ';') AS frames,
  tally::DOUBLE AS value, 'samples' AS unit, false AS bookkeeping, line::INTEGER AS line, NULL::INTEGER AS kernel_frames`;

/** common.ts's CONTROL in RE2's spelling, for DuckDB's regexp functions. */
const CONTROL = "\\x00-\\x08\\x0b-\\x1f\\x7f\\x{fffd}";
/** A line folded.ts takes as a stack: no control characters, something before the last space, digits after it. */
const STACK_LINE = `[^${CONTROL}]*[^${CONTROL}\\t ][^${CONTROL}]* [0-9]+\\r?`;

/**
 * The common case, every line a stack: the stack id is the line number. Regular
 * expressions anchored at the line's end are much cheaper here than the character
 * arithmetic (reverse, strpos, left) the classifying query needs.
 */
function everyLineAStack(path: string, ref: FileRef, lines: number | null): string {
  return `
    SELECT ${stackColumns("line::INTEGER")}
    FROM (SELECT ${sqlString(ref.capture_id)} AS capture_id, ${sqlString(ref.file)} AS file, line,
                 regexp_replace(text, '[ \\t]* [0-9]+\\r?$', '') AS head, regexp_extract(text, ' ([0-9]+)\\r?$', 1) AS tally
          FROM ${linesOf(path, lines)})`;
}

/** Stack ids count data lines only, skipping blank and problem lines. */
function someLinesStacks(path: string, ref: FileRef, lines: number): string {
  const stackId = "(sum(CASE WHEN reason IS NULL AND NOT blank THEN 1 ELSE 0 END) OVER (ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))::INTEGER";
  return `SELECT ${stackColumns("stack_id")} FROM (SELECT *, ${stackId} AS stack_id FROM (${classifiedLines(path, ref, lines)})) WHERE reason IS NULL AND NOT blank`;
}

/** Every line split at its last space, numbered when the file's line count is given (see linesOf). */
function splitLines(path: string, ref: FileRef, lines: number | null): string {
  return `
    SELECT ${sqlString(ref.capture_id)} AS capture_id, ${sqlString(ref.file)} AS file, *,
           rtrim(left(text, space - 1), ' ' || chr(9)) AS head, substr(text, space + 1) AS tally
    FROM (
      SELECT *, CASE WHEN strpos(reverse(text), ' ') = 0 THEN 0 ELSE length(text) - strpos(reverse(text), ' ') + 1 END AS space
      FROM (
        SELECT line, CASE WHEN suffix(raw, chr(13)) THEN left(raw, length(raw) - 1) ELSE raw END AS text, rest
        FROM (SELECT line, coalesce(text, '') AS raw, rest FROM ${linesOf(path, lines)})))`;
}

/**
 * The file's lines with their numbers when `lines` (the count) is given: the scan paired
 * by position with 1…lines. A positional join reads the file on one thread, in order, as
 * the streaming row_number() window it replaces did, but cost half as much (200 MB: 1.6 s
 * vs 2.8 s for the COPY). The caller has checked that DuckDB reads exactly `lines` lines.
 * Without a count the scan runs on all cores and `line` is null.
 */
const linesOf = (path: string, lines: number | null) =>
  lines === null
    ? `(SELECT NULL::BIGINT AS line, text, rest FROM ${source(path)})`
    : `(SELECT line, text, rest FROM ${source(path)} POSITIONAL JOIN (SELECT range AS line FROM range(1, ${lines + 1})))`;

/** The file's lines as DuckDB's CSV reader sees them: `text`, and `rest` if a line held the separator. */
const source = (path: string) => `read_csv(${sqlString(path)}, columns = {'text': 'VARCHAR', 'rest': 'VARCHAR'}, header = false,
    delim = ${sqlString(SEPARATOR)}, quote = '', escape = '', auto_detect = false, new_line = '\\n',
    strict_mode = false, null_padding = true)`;

/** Every line with, when it is not a stack, why: folded.ts's rules in the same order. */
function classifiedLines(path: string, ref: FileRef, lines: number | null): string {
  return `
    SELECT *,
      CASE WHEN length(text) > ${MAX_LINE_LENGTH} THEN 'line too long'
           WHEN blank THEN NULL
           WHEN regexp_matches(text, '[${CONTROL}]') THEN 'binary or undecodable data'
           WHEN space = 0 OR head = '' OR NOT regexp_full_match(tally, '[0-9]+') THEN 'not a folded stack: expected ''frame;frame;... count'''
      END AS reason
    FROM (SELECT *, length(text) <= ${MAX_LINE_LENGTH} AND regexp_full_match(text, '[ \\t]*') AS blank FROM (${splitLines(path, ref, lines)}))`;
}

// data.quality — how much was read, whether every line is accounted for, and which
// capture files cannot be trusted (failed, partial, lossy: captures.status).

import {count, num} from "./format.js";
import {defineFinding} from "./types.js";

const FILES = `SELECT count(*)::INTEGER AS files, sum(lines)::DOUBLE AS lines, sum(data_lines)::DOUBLE AS data_lines,
  sum(blank_lines)::DOUBLE AS blank_lines, sum(tool_lines)::DOUBLE AS tool_lines, sum(problem_lines)::DOUBLE AS problem_lines,
  count(*) FILTER (WHERE lines <> data_lines + blank_lines + tool_lines + problem_lines)::INTEGER AS unreconciled,
  count(*) FILTER (WHERE window_s IS NULL AND kind NOT IN ('context', 'document', 'oncpu-report'))::INTEGER AS unknown_windows,
  count(*) FILTER (WHERE format NOT IN ('context', 'document'))::INTEGER AS traces,
  count(*) FILTER (WHERE format NOT IN ('context', 'document') AND status IN ('ok', 'partial'))::INTEGER AS usable_traces
FROM captures`;

const UNTRUSTED = `SELECT file, status, status_reason AS reason FROM captures WHERE status <> 'ok' ORDER BY status = 'failed' DESC, file`;

const ROWS = `SELECT (SELECT count(*) FROM histograms)::DOUBLE AS histograms, (SELECT count(*) FROM "values")::DOUBLE AS "values",
  (SELECT count(*) FROM stacks)::DOUBLE AS stacks, (SELECT count(*) FROM problems)::DOUBLE AS problems`;

export const dataQuality = defineFinding({
  id: "data.quality",
  title: "Data quality: every line accounted for",
  queries: {files: FILES, rows: ROWS, untrusted: UNTRUSTED},
  evaluate({files, rows, untrusted}) {
    const f = files[0] ?? {};
    const r = rows[0] ?? {};
    const lines = num(f.lines);
    const accounted = num(f.data_lines) + num(f.blank_lines) + num(f.tool_lines) + num(f.problem_lines);
    const metrics = {
      files: num(f.files),
      lines,
      data_lines: num(f.data_lines),
      blank_lines: num(f.blank_lines),
      tool_lines: num(f.tool_lines),
      problem_lines: num(f.problem_lines),
      lines_accounted_share: lines ? accounted / lines : 1,
      unreconciled_files: num(f.unreconciled),
      unknown_windows: num(f.unknown_windows),
      histogram_rows: num(r.histograms),
      value_rows: num(r.values),
      stack_rows: num(r.stacks),
      untrusted_files: untrusted.map((u) => ({file: String(u.file), status: String(u.status), reason: u.reason == null ? null : String(u.reason)}))
    };
    const problems = num(f.problem_lines);
    const windows = metrics.unknown_windows ? ` ${metrics.unknown_windows} capture file(s) have no known window, so their findings give counts, not rates.` : "";
    const bad = metrics.untrusted_files;
    const noneUsable = num(f.traces) > 0 && num(f.usable_traces) === 0;
    const trust = bad.length ? ` Not to be trusted: ${bad.map((b) => `${b.file} ${b.status} (${b.reason})`).join("; ")}.` : "";
    return {
      severity: noneUsable ? "critical" : problems > 0 || metrics.unreconciled_files > 0 || bad.length > 0 ? "warning" : "info",
      verdict: noneUsable ? "no capture produced usable data" : bad.length ? `${bad.length} capture file(s) failed or partial` : problems > 0 ? `${count(problems)} problem lines` : "clean",
      metrics,
      narrative: `${count(metrics.files)} files, ${count(lines)} lines: ${count(metrics.data_lines)} data, ${count(metrics.blank_lines)} blank, ${count(metrics.tool_lines)} tool output, ${count(problems)} problems — ${(metrics.lines_accounted_share * 100).toFixed(0)}% accounted for.${trust}${windows}`
    };
  },
  headline: (m) => `${count(m.problem_lines)} problem lines of ${count(m.lines)}`,
  chart: () => null
});

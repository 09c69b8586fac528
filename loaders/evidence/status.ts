// Whether a capture file's evidence can be trusted: did its probes attach, did it run to
// its end, did it lose events? Read from the file's own tool lines, from the stderr kept
// beside it (bpftrace prints its banner on stdout even when attaching then fails, so the
// output alone can look like a capture that saw nothing), and from what the capture runner
// recorded in the manifest (exit status, interruption).

export type Status = "ok" | "partial" | "failed" | "empty";

export interface FileStatus {
  status: Status;
  /** Why it is not `ok`; null when it is. */
  reason: string | null;
  /** Probes bpftrace said it attached (`Attaching N probes...`); null when not said. */
  probes: number | null;
  /** Events or samples the tool said it lost. */
  lost_events: number;
}

export interface StatusInput {
  /** Lines the tool wrote that are not data, from the file and its stderr. */
  messages: string[];
  lines: number;
  data_lines: number;
  /** A trace whose silence could be mistaken for an absence (not a context file or a document). */
  trace: boolean;
  manifest?: {status?: string; reason?: string; exit_status?: number | null; window_s?: number | null} | null;
}

// bpftrace 0.17 prints this when it cannot raise RLIMIT_MEMLOCK, then runs normally.
const HARMLESS = /^ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK/;
const FATAL: [RegExp, (m: RegExpExecArray) => string][] = [
  [/ERROR: Error attaching probe: '?([^']+)'?/, (m) => `probe did not attach: ${m[1]}`],
  [/^ERROR: (.*)$/, (m) => m[1]],
  [/^(?:Traceback \(most recent call last\)|Exception: .*|Failed to attach .*|could not open bpf map.*)$/, (m) => m[0]],
  [/^[^\s:]+\.bt:\d+[-:\d]*: ERROR: (.*)$/, (m) => m[1]]
];
const LOST = [/^Lost (\d+) events?/, /Possibly lost (\d+) samples/, /lost (\d+) chunks/i, /^WARNING: (\d+) samples? lost/];
const ATTACHING = /^Attaching (\d+) probes?\.\.\.$/;

export function fileStatus({messages, lines, data_lines, trace, manifest}: StatusInput): FileStatus {
  let probes: number | null = null;
  let lost = 0;
  let fatal: string | null = null;
  for (const text of messages) {
    const line = text.trim();
    const attaching = ATTACHING.exec(line);
    if (attaching) probes = Number(attaching[1]);
    for (const re of LOST) {
      const m = re.exec(line);
      if (m) lost += Number(m[1]);
    }
    if (fatal === null && !HARMLESS.test(line)) {
      for (const [re, reason] of FATAL) {
        const m = re.exec(line);
        if (m) {
          fatal = reason(m);
          break;
        }
      }
    }
  }
  const base = {probes, lost_events: lost};
  if (manifest?.status === "failed" || manifest?.status === "skipped") {
    // The tool's own words say why (a probe that did not attach) better than an exit status.
    const recorded = manifest.reason ?? `capture ${manifest.status}${manifest.exit_status != null ? ` (exit ${manifest.exit_status})` : ""}`;
    return {...base, status: "failed", reason: fatal ? `${fatal} (${recorded})` : recorded};
  }
  if (lines === 0 && trace) return {...base, status: "failed", reason: "empty output file"};
  if (fatal !== null) return {...base, status: data_lines > 0 ? "partial" : "failed", reason: fatal};
  if (manifest?.status === "interrupted") return {...base, status: "partial", reason: manifest.reason ?? "capture interrupted"};
  if (lost > 0) return {...base, status: "partial", reason: `lost ${lost} events`};
  const ranToEnd = manifest?.exit_status === 0 && manifest.window_s != null;
  if (trace && data_lines === 0 && !ranToEnd) {
    return {...base, status: "empty", reason: "printed no data, and nothing shows the capture ran to its end (no exit status and window in the manifest)"};
  }
  return {...base, status: "ok", reason: null};
}

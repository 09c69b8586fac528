// Which thread makes the most system calls, and its share of all the calls counted by
// thread. Copy this file into the findings folder (findings/, or BPFBOOK_FINDINGS) and it
// runs with the built-in findings: summary page, findings.json, compare, `npm run findings`.
import type {FindingSpec} from "bpfbook/findings";

type Metrics = {file: string | null; thread: string | null; calls: number; all_calls: number; share: number | null};

const finding: FindingSpec<"threads", Metrics> = {
  id: "example.busiest_thread",
  title: "Busiest thread by system calls",
  // SQL over the evidence views (docs/views.md): any source that counts syscalls by thread.
  queries: {
    threads: `SELECT file, thread, sum(calls)::DOUBLE AS calls
      FROM syscall_counts WHERE thread IS NOT NULL
      GROUP BY ALL ORDER BY calls DESC, thread`
  },
  // A pure function of the rows: no I/O, no clock, so it runs alike in Node and the browser.
  evaluate({threads}) {
    // One file answers: the one counting the most calls (two tools counting the same calls must not add up).
    const totals = new Map<string, number>();
    for (const r of threads) totals.set(String(r.file), (totals.get(String(r.file)) ?? 0) + Number(r.calls));
    const file = [...totals].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    const rows = threads.filter((r) => r.file === file);
    const top = rows[0];
    const all = totals.get(String(file)) ?? 0;
    if (!top || all === 0) {
      return {
        severity: "info",
        conclusive: false,
        verdict: "cannot tell: no syscall counts by thread",
        metrics: {file, thread: null, calls: 0, all_calls: 0, share: null},
        narrative: "No capture in this bundle counts system calls by thread."
      };
    }
    const share = Number(top.calls) / all;
    return {
      severity: share >= 0.9 ? "warning" : "info",
      verdict: `${top.thread} makes ${Math.round(share * 100)}% of the calls`,
      metrics: {file, thread: String(top.thread), calls: Number(top.calls), all_calls: all, share},
      narrative: `From ${file}: ${top.thread} made ${Number(top.calls).toLocaleString("en-US")} of the ${all.toLocaleString("en-US")} system calls counted by thread (${(share * 100).toFixed(1)}%), across ${rows.length} thread${rows.length === 1 ? "" : "s"}.`
    };
  },
  headline: (m) => (m.share === null ? null : `${(m.share * 100).toFixed(1)}%`),
  chart: ({threads}, m) => ({
    kind: "bars",
    title: "system calls by thread",
    xTitle: "calls",
    bars: threads.filter((r) => r.file === m.file).slice(0, 10).map((r) => ({name: String(r.thread), value: Number(r.calls)}))
  })
};

export default finding;

// The file a finding's answer comes from, and whether it can be trusted (captures.status,
// loaders/evidence/status.ts). A finding whose evidence failed says it cannot tell; an
// absence ("0 calls") is claimed only from evidence whose status is `ok`.

import type {QueryRow} from "./types.js";

/** ORDER BY terms putting usable evidence first. */
const USABLE_FIRST = "(e.recognized AND e.status IN ('ok', 'partial')) DESC, e.recognized DESC";

/**
 * The capture files that feed `view`, best first: usable and recognized, then the finding's
 * own preferences (`prefer`, ORDER BY terms over `e`), then the longest window. The first
 * answers the finding; the others are evidence too, but one file answers, so two tools
 * counting the same thing never add up. `columns` adds to the evidence row.
 */
export function answeringFiles(view: string, prefer: string[] = [], columns = ""): string {
  return `SELECT e.file, e.source, e.recognized, e.kind, e.window_s, e.complete, e.status, e.status_reason${columns}
FROM evidence e WHERE list_contains(e.feeds, '${view}')
ORDER BY ${[USABLE_FIRST, ...prefer, "e.window_s DESC NULLS LAST", "e.file"].join(", ")}`;
}

/** ORDER BY term preferring files that gave `view` rows (matching `where`, over `v`). */
export const withRows = (view: string, where = "true") => `EXISTS (SELECT 1 FROM ${view} v WHERE v.file = e.file AND ${where}) DESC`;

export type EvidenceRef = {file: string; source: string; status: string; reason: string | null; recognized: boolean};

export const evidenceOf = (row: QueryRow | undefined): EvidenceRef | null =>
  row
    ? {
        file: String(row.file),
        source: String(row.source),
        status: String(row.status ?? "ok"),
        reason: row.status_reason == null ? null : String(row.status_reason),
        recognized: row.recognized !== false
      }
    : null;

/** Data came out of it (perhaps with losses), from a tool bpfbook reads. */
export const usable = (e: EvidenceRef | null) => e !== null && e.recognized && (e.status === "ok" || e.status === "partial");

/** The metrics every finding gives about its evidence. */
export const evidenceMetrics = (e: EvidenceRef | null) => ({
  evidence_file: e?.file ?? null,
  evidence_source: e?.source ?? null,
  evidence_status: e?.status ?? null,
  evidence_reason: e?.reason ?? null
});

/** "01-fsync.txt (bpfbook fsync.bt) failed: probe did not attach: …; so whether … cannot be told." */
export function cannotTell(e: EvidenceRef, question: string): string {
  if (!e.recognized && (e.status === "ok" || e.status === "partial")) {
    return `${e.file} is not the output of a tool bpfbook recognizes (docs/views.md lists them; a manifest can name its source), so ${question} cannot be told from it.`;
  }
  const what = e.status === "failed" ? "failed" : e.status === "empty" ? "recorded nothing" : "lost part of its data";
  return `${e.file} (${e.source}) ${what}: ${e.reason ?? "no reason given"}; so ${question} cannot be told from it.`;
}

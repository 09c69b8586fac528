// A finding as a card: verdict, the claim (narrative), the number behind it, an
// optional chart, and the SQL that computed it. All capture text goes in as text nodes.
import {html} from "npm:htl";

interface Finding {
  id: string;
  title: string;
  severity: string;
  verdict: string;
  narrative: string;
  metrics?: Record<string, unknown>;
  sql: Record<string, string>;
}

/** Which file answered and whether it can be trusted (every finding's evidence_* metrics). */
function evidenceLine(m: Record<string, unknown> | undefined): HTMLElement | null {
  if (!m || !("evidence_file" in m)) return null;
  if (m.evidence_file === null) return html`<div class="evidence" data-evidence-status="none">evidence: none in this bundle</div>`;
  const status = String(m.evidence_status ?? "ok");
  return html`<div class="evidence" data-evidence-status=${status}>evidence: ${String(m.evidence_file)} (${String(m.evidence_source)}) · <span class="status">${status}</span>${m.evidence_reason ? ` — ${String(m.evidence_reason)}` : ""}</div>`;
}

export function findingCard(finding: Finding, {number, chart, provenance}: {number?: string; chart?: Node; provenance?: string} = {}): HTMLElement {
  return html`<section class="finding" data-finding=${finding.id} data-severity=${finding.severity}>
    <div class="verdict">${finding.severity} · ${finding.verdict}</div>
    <h3>${finding.title}</h3>
    ${number === undefined ? null : html`<div class="number">${number}</div>`}
    ${evidenceLine(finding.metrics)}
    <p class="narrative">${finding.narrative}</p>
    ${chart ?? null}
    ${provenance === undefined ? null : html`<div class="provenance">${provenance}</div>`}
    <details><summary>SQL behind this finding</summary>
      ${Object.entries(finding.sql).map(([name, sql]) => html`<p><code>${name}</code></p><pre>${sql}</pre>`)}
    </details>
  </section>`;
}

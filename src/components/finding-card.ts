// A finding as a card: verdict, the claim (narrative), the number behind it, an
// optional chart, and the SQL that computed it. All capture text goes in as text nodes.
import {html} from "npm:htl";

interface Finding {
  id: string;
  title: string;
  severity: string;
  verdict: string;
  narrative: string;
  sql: Record<string, string>;
}

export function findingCard(finding: Finding, {number, chart, provenance}: {number?: string; chart?: Node; provenance?: string} = {}): HTMLElement {
  return html`<section class="finding" data-finding=${finding.id} data-severity=${finding.severity}>
    <div class="verdict">${finding.severity} · ${finding.verdict}</div>
    <h3>${finding.title}</h3>
    ${number === undefined ? null : html`<div class="number">${number}</div>`}
    <p class="narrative">${finding.narrative}</p>
    ${chart ?? null}
    ${provenance === undefined ? null : html`<div class="provenance">${provenance}</div>`}
    <details><summary>SQL behind this finding</summary>
      ${Object.entries(finding.sql).map(([name, sql]) => html`<p><code>${name}</code></p><pre>${sql}</pre>`)}
    </details>
  </section>`;
}

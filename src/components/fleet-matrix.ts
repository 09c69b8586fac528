// The home page's matrix: one row per bundle, one column per finding, each cell the
// verdict as a badge with the number behind it (the narrative on hover). Sort by any
// column (findings: the most severe first), filter by text or severity. Sort keys are
// computed once, and only the rows in view are laid out (more as the table scrolls), so a
// fleet of hundreds stays quick. Capture text is set with textContent and attributes,
// never parsed as markup.

export interface BundleHeadline {
  id: string;
  title: string;
  severity: string;
  verdict: string;
  narrative: string;
  headline: string | null;
  conclusive: boolean;
}

export interface FleetBundle {
  id: string;
  target: string | null;
  host: string | null;
  files: number;
  problems: number;
  headlines: BundleHeadline[];
}

const RANK: Record<string, number> = {critical: 3, warning: 2, info: 1};
const MARK: Record<string, string> = {critical: "●", warning: "▲", info: "·"};

type Column = {key: string; label: string; finding?: string; value(b: FleetBundle): string | number; cell(b: FleetBundle, td: HTMLTableCellElement): void};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The findings every bundle reported, in the order they first appear. */
function findingColumns(bundles: FleetBundle[]): {id: string; title: string}[] {
  const seen = new Map<string, string>();
  for (const b of bundles) for (const h of b.headlines) if (!seen.has(h.id)) seen.set(h.id, h.title);
  return [...seen].map(([id, title]) => ({id, title}));
}

export function fleetMatrix(bundles: FleetBundle[], {base = "./"} = {}): HTMLElement {
  const byId = (b: FleetBundle, id: string) => b.headlines.find((h) => h.id === id);
  const columns: Column[] = [
    {
      key: "bundle",
      label: "bundle",
      value: (b) => b.id,
      cell: (b, td) => td.append(element("a", {href: `${base}captures/${encodeURIComponent(b.id)}/`, textContent: b.id}))
    },
    {key: "target", label: "target", value: (b) => b.target ?? "", cell: (b, td) => (td.textContent = b.target ?? "—")},
    {key: "host", label: "host", value: (b) => b.host ?? "", cell: (b, td) => (td.textContent = b.host ?? "—")},
    {key: "problems", label: "problem lines", value: (b) => b.problems, cell: (b, td) => ((td.textContent = b.problems.toLocaleString("en-US")), (td.className = "num"))},
    ...findingColumns(bundles).map(({id, title}): Column => ({
      key: id,
      label: title,
      finding: id,
      // Most severe first; among equals, conclusive before "cannot tell", then by verdict.
      value: (b) => {
        const h = byId(b, id);
        return h ? `${RANK[h.severity] ?? 0}${h.conclusive ? 1 : 0}${h.verdict}` : "";
      },
      cell: (b, td) => {
        const h = byId(b, id);
        td.dataset.finding = id;
        if (!h) return void (td.textContent = "—");
        td.dataset.severity = h.severity;
        td.dataset.conclusive = String(h.conclusive);
        td.title = h.narrative;
        td.append(element("span", {className: "badge", textContent: `${MARK[h.severity] ?? ""} ${h.verdict}`}));
        if (h.headline) td.append(element("span", {className: "headline", textContent: h.headline}));
      }
    }))
  ];

  const search = element("input", {type: "search", placeholder: "filter: bundle, target, host or verdict", className: "fleet-filter"});
  const severity = element("select", {className: "fleet-severity"}, ...[["", "any severity"], ["warning", "a warning or worse"], ["critical", "a critical finding"]].map(([value, text]) => element("option", {value, textContent: text})));
  const shown = element("span", {className: "fleet-count"});
  const tbody = element("tbody");
  const thead = element("thead");
  const headRow = element("tr");
  thead.append(headRow);

  // A row's cells are made when it is first shown: a fleet of hundreds lays out only the
  // rows in view (more are appended as the table scrolls).
  const makeRow = (b: FleetBundle) => {
    const tr = element("tr");
    tr.dataset.bundle = b.id;
    for (const c of columns) {
      const td = element("td");
      c.cell(b, td);
      tr.append(td);
    }
    return tr;
  };
  const rows = bundles.map((b) => {
    // What the filter matches, lower-cased once.
    const text = [b.id, b.target ?? "", b.host ?? "", ...b.headlines.map((h) => h.verdict)].join("\n").toLowerCase();
    const worst = Math.max(0, ...b.headlines.map((h) => RANK[h.severity] ?? 0));
    // Each column's sort key, computed once.
    const keys = columns.map((c) => c.value(b));
    let tr: HTMLTableRowElement | undefined;
    return {bundle: b, text, worst, keys, get tr() {
      return (tr ??= makeRow(b));
    }};
  });
  type Row = (typeof rows)[number];
  /** Rows drawn at once, and appended per scroll to the end. */
  const PAGE = 100;
  let shownRows: Row[] = [];
  let drawn = 0;
  const drawMore = (n: number) => {
    const next = shownRows.slice(drawn, drawn + n);
    tbody.append(...next.map((r) => r.tr));
    drawn += next.length;
    container.dataset.drawn = String(drawn);
  };

  let sortKey = "bundle";
  let descending = false;
  for (const c of columns) {
    const button = element("button", {type: "button", textContent: c.label});
    const th = element("th", {}, button);
    th.dataset.key = c.key;
    if (c.finding) {
      const counts = [2, 3].map((r) => rows.filter(({bundle}) => RANK[byId(bundle, c.finding!)?.severity ?? ""] === r).length);
      th.append(element("div", {className: "counts", textContent: `${counts[1]} ● ${counts[0]} ▲`, title: `${counts[1]} critical, ${counts[0]} warning`}));
    }
    button.addEventListener("click", () => {
      // Findings sort the most severe first on the first click; other columns ascending.
      descending = sortKey === c.key ? !descending : Boolean(c.finding);
      sortKey = c.key;
      render();
    });
    headRow.append(th);
  }

  function render(): void {
    const index = columns.findIndex((c) => c.key === sortKey);
    const needle = search.value.trim().toLowerCase();
    const floor = RANK[severity.value] ?? 0;
    const sorted = [...rows].sort((a, b) => {
      const [x, y] = [a.keys[index], b.keys[index]];
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return (descending ? -order : order) || a.bundle.id.localeCompare(b.bundle.id);
    });
    shownRows = sorted.filter((row) => (!needle || row.text.includes(needle)) && row.worst >= floor);
    const visible = shownRows.length;
    tbody.replaceChildren();
    drawn = 0;
    drawMore(PAGE);
    for (const th of Array.from(headRow.children) as HTMLElement[]) {
      if (th.dataset.key === sortKey) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
    shown.textContent = `${visible.toLocaleString("en-US")} of ${rows.length.toLocaleString("en-US")} bundles`;
    container.dataset.visible = String(visible);
  }

  search.addEventListener("input", render);
  severity.addEventListener("change", render);
  const scroller = element("div", {className: "fleet-scroll"}, element("table", {className: "fleet-matrix"}, thead, tbody));
  scroller.addEventListener("scroll", () => {
    if (drawn < shownRows.length && scroller.scrollTop + scroller.clientHeight > scroller.scrollHeight - 400) drawMore(PAGE);
  });
  // A printed report lists every bundle.
  addEventListener("beforeprint", () => drawMore(shownRows.length));
  const container = element("div", {className: "fleet"}, element("div", {className: "fleet-controls"}, search, severity, shown), scroller);
  render();
  return container;
}

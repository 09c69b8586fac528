// An interactive flame graph drawn on canvas, so a profile with 100k unique stacks stays
// smooth: click a frame to zoom into it, reset, search (with the share of samples that
// match), tooltips, colour by crate/module. Frame names are drawn with fillText and shown
// in tooltips with textContent: text from captures is never parsed as markup.
import {type FlameTree, type Profile, type Stack, KERNEL_SUFFIX, buildFlameTree, matchedSamples, nameOf, pathOf, pathShares, profileOf, sharesDiffer} from "./findings.generated.js";

export type {Profile, Stack};

const ROW = 18;

/** The crate or module a frame belongs to, for its colour: `blake3::portable::…` → `blake3`. */
export function moduleOf(frame: string): string {
  if (frame.endsWith(KERNEL_SUFFIX)) return KERNEL;
  const rust = /^(?:<)?([A-Za-z_][\w]*)::/.exec(frame);
  if (rust) return rust[1];
  if (frame.startsWith("JS:")) return "js";
  if (/^\[/.test(frame)) return frame;
  return frame.split(/[_.]/)[0] || frame;
}

/** Kernel frames (marked `_[k]`) share one cool hue, apart from the warm user-space ones. */
const KERNEL = "[kernel]";

function colour(module: string, matched: boolean): string {
  if (!matched && module === KERNEL) return "hsl(200, 45%, 72%)";
  let h = 0;
  for (let i = 0; i < module.length; i++) h = (h * 31 + module.charCodeAt(i)) >>> 0;
  return matched ? "#e040fb" : `hsl(${20 + (h % 40)}, ${60 + (h % 30)}%, ${55 + ((h >> 5) % 15)}%)`;
}

/** A frame whose share did not change beyond sampling noise. */
const UNCHANGED = "hsl(0, 0%, 86%)";

/** Red where a frame's share of samples grew against the baseline, blue where it shrank. */
function diffColour(delta: number): string {
  const t = Math.min(1, Math.abs(delta) / 0.1);
  return delta >= 0 ? `hsl(0, ${30 + 60 * t}%, ${85 - 35 * t}%)` : `hsl(220, ${30 + 60 * t}%, ${85 - 35 * t}%)`;
}

type Input = Stack[] | Profile | FlameTree;
const treeOf = (input: Input): FlameTree =>
  Array.isArray(input) ? buildFlameTree(profileOf(input)) : "stacks" in input ? buildFlameTree(input) : input;

export interface FlameGraphOptions {
  width?: number;
  /** Colour by the change in each call path's share against this profile. */
  baseline?: Input;
  /**
   * The whole tree, when `input` is only the first view's (readFlameFile): asked for once
   * the first view is painted, it then replaces it, keeping the zoom and search; until
   * then the status says so.
   */
  complete?: () => Promise<FlameTree>;
  /** What a box's width counts, for tooltips and search (default samples). */
  unit?: {name: string; format?: (value: number) => string};
  /**
   * Colours by the frame just under the root (e.g. an off-CPU class), with a legend: every
   * box takes the colour of its depth-1 ancestor's name, else grey.
   */
  groups?: Record<string, string>;
  /**
   * Keeps the zoom and the search in the page's URL as `<url>-focus` (the call path, frames
   * joined by `;` as in folded stacks) and `<url>-search`, so a link opens the same view.
   * A page with two flame graphs gives each its own key.
   */
  url?: string;
}

/** The call path from the root to `node`, by frame name. */
function pathTo(tree: FlameTree, node: number): string[] {
  const path: string[] = [];
  for (let n = node; n > 0; n = tree.parent[n]) path.unshift(nameOf(tree, n));
  return path;
}

/** A flame graph of stacks, a compact profile, or a tree built already (decodeFlameTree). */
export function flameGraph(input: Input, {width = 960, baseline, complete, unit = {name: "samples"}, groups, url}: FlameGraphOptions = {}): HTMLElement {
  const amount = (v: number) => `${unit.format ? unit.format(v) : v.toLocaleString("en-US")} ${unit.name}`;
  let tree = treeOf(input);
  // Both sides as shares of their own totals; a change is coloured only when a
  // two-proportion z-test (95%) says it is more than sampling noise (sharesDiffer).
  const baseTree = baseline ? treeOf(baseline) : null;
  const base = baseTree ? pathShares(baseTree) : null;
  const baseTotal = baseTree?.total ?? 0;
  let {value, x0, depth: depthOf, offset, children, total} = tree;
  let partial = complete !== undefined;
  const params = new URLSearchParams(location.search);
  // The zoom as a call path too: it survives the swap to the whole tree and goes in the URL.
  let focusPath = url ? (params.get(`${url}-focus`) ?? "").split(";").filter(Boolean) : [];
  let focus = nodeOfPath(tree, focusPath);
  let search: RegExp | null = null;
  /** Writes the zoom and search into the URL, leaving the page's other parameters. */
  const remember = () => {
    if (!url) return;
    const now = new URLSearchParams(location.search);
    const set = (name: string, v: string) => (v ? now.set(`${url}-${name}`, v) : now.delete(`${url}-${name}`));
    set("focus", focusPath.join(";"));
    set("search", searchBox.value.trim());
    const query = now.toString();
    history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  };
  // Colour per distinct frame, computed when first drawn (module names repeat a lot).
  const colours = new Map<number, string>();

  const container = document.createElement("div");
  container.className = "flamegraph";
  container.dataset.unit = unit.name;
  const controls = document.createElement("div");
  const searchBox = document.createElement("input");
  searchBox.type = "search";
  searchBox.placeholder = "search frames (regular expression)";
  searchBox.style.width = "320px";
  if (url) searchBox.value = params.get(`${url}-search`) ?? "";
  const reset = document.createElement("button");
  reset.textContent = "Reset zoom";
  const status = document.createElement("span");
  status.className = "flamegraph-status";
  status.style.marginLeft = "1em";
  controls.append(searchBox, reset, status);
  if (groups) {
    // The legend: a swatch and the group's name, as text.
    const legend = document.createElement("div");
    legend.className = "flamegraph-legend";
    for (const [name, fill] of Object.entries(groups)) {
      const item = document.createElement("span");
      item.style.marginRight = "1em";
      const swatch = document.createElement("span");
      Object.assign(swatch.style, {display: "inline-block", width: "10px", height: "10px", background: fill, marginRight: "4px"});
      item.append(swatch, name);
      legend.append(item);
    }
    controls.append(legend);
  }
  const canvas = document.createElement("canvas");
  const ratio = window.devicePixelRatio || 1;
  let height = 0;
  const size = () => {
    height = (tree.maxDepth + 1) * ROW;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  };
  size();
  const tooltip = document.createElement("div");
  tooltip.className = "flamegraph-tooltip";
  Object.assign(tooltip.style, {position: "absolute", pointerEvents: "none", background: "var(--theme-background)", border: "1px solid var(--theme-foreground-faint)", padding: "4px 6px", font: "12px var(--sans-serif)", display: "none", maxWidth: "600px", overflowWrap: "anywhere"});
  const wrapper = document.createElement("div");
  wrapper.style.position = "relative";
  wrapper.append(canvas, tooltip);
  container.append(controls, wrapper);
  const context = canvas.getContext("2d")!;

  const span = () => (total > 0 ? value[focus] / total : 1);
  const left = (node: number) => ((x0[node] - x0[focus]) / span()) * width;
  const widthOf = (node: number) => (total > 0 ? (value[node] / total / span()) * width : 0);

  function fill(node: number, matched: boolean): string {
    const f = tree.frame[node];
    if (node === 0) return "#ccc";
    if (base && !matched) {
      const before = base.get(pathOf(tree, node)) ?? 0;
      const now = value[node] / total;
      return sharesDiffer(before * baseTotal, baseTotal, value[node], total) ? diffColour(now - before) : UNCHANGED;
    }
    if (matched) return colour("", true);
    if (groups) {
      let top = node;
      while (depthOf[top] > 1) top = tree.parent[top];
      return groups[nameOf(tree, top)] ?? "hsl(0, 0%, 80%)";
    }
    let c = colours.get(f);
    if (c === undefined) colours.set(f, (c = colour(moduleOf(tree.names[f]), false)));
    return c;
  }

  function draw(): void {
    const started = performance.now();
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.font = "11px sans-serif";
    context.textBaseline = "middle";
    const visit = (node: number) => {
      const x = left(node);
      const w = widthOf(node);
      if (w < 0.5 || x + w < 0 || x > width) return;
      const y = depthOf[node] * ROW;
      const name = nameOf(tree, node);
      const matched = search !== null && node !== 0 && search.test(name);
      context.fillStyle = fill(node, matched);
      context.fillRect(x, y, Math.max(w - 0.5, 0.5), ROW - 1);
      if (w > 30) {
        context.fillStyle = "#000";
        const label = name.length * 6.5 > w - 6 ? name.slice(0, Math.max(0, Math.floor((w - 6) / 6.5) - 1)) + "…" : name;
        context.fillText(label, x + 3, y + ROW / 2);
      }
      // Children are widest first: once one is under half a pixel, so are the rest.
      for (let c = offset[node]; c < offset[node + 1]; c++) {
        if (widthOf(children[c]) < 0.5) break;
        visit(children[c]);
      }
    };
    visit(0);
    canvas.dataset.drawMs = String(Math.round(performance.now() - started));
    canvas.dataset.focus = focus === 0 ? "" : nameOf(tree, focus);
  }

  function nodeAt(px: number, py: number): number | null {
    const level = Math.floor(py / ROW);
    let node: number | null = 0;
    while (node !== null && depthOf[node] < level) {
      const at: number = node;
      let next: number | null = null;
      for (let c: number = offset[at]; c < offset[at + 1]; c++) {
        const x = left(children[c]);
        if (px >= x && px < x + widthOf(children[c])) {
          next = children[c];
          break;
        }
      }
      node = next;
    }
    return node;
  }

  function updateSearch(): void {
    const text = searchBox.value.trim();
    try {
      search = text ? new RegExp(text) : null;
    } catch {
      search = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    }
    const started = performance.now();
    if (search) {
      const n = matchedSamples(tree, (name) => search!.test(name));
      status.textContent = `${unit.name === "samples" ? n.toLocaleString("en-US") : amount(n)} of ${amount(total)} match (${((n / total) * 100).toFixed(1)}%)`;
      if (partial) status.textContent += " in the frames drawn so far; the full profile is loading…";
      status.dataset.matched = String(n);
    } else {
      status.textContent = partial ? "The full profile is loading…" : "";
      delete status.dataset.matched;
    }
    draw();
    status.dataset.searchMs = String(Math.round(performance.now() - started));
  }

  canvas.addEventListener("click", (event) => {
    const node = nodeAt(event.offsetX, event.offsetY);
    if (node !== null && value[node] > 0) {
      focus = node === focus ? Math.max(tree.parent[focus], 0) : node;
      focusPath = pathTo(tree, focus);
      remember();
      draw();
    }
  });
  canvas.addEventListener("mousemove", (event) => {
    const node = nodeAt(event.offsetX, event.offsetY);
    if (node === null) {
      tooltip.style.display = "none";
      return;
    }
    const share = value[node] / total;
    const change = base && node !== 0 ? `, ${((share - (base.get(pathOf(tree, node)) ?? 0)) * 100).toFixed(1)} points vs baseline` : "";
    tooltip.textContent = `${nameOf(tree, node)} — ${amount(value[node])} (${(share * 100).toFixed(1)}%${change})`;
    Object.assign(tooltip.style, {display: "block", left: `${Math.min(event.offsetX + 12, width - 300)}px`, top: `${event.offsetY + 12}px`});
  });
  canvas.addEventListener("mouseleave", () => (tooltip.style.display = "none"));
  reset.addEventListener("click", () => {
    focus = 0;
    focusPath = [];
    remember();
    draw();
  });
  searchBox.addEventListener("input", () => {
    updateSearch();
    remember();
  });
  if (complete) {
    status.textContent = "The full profile is loading…";
    const swap = (whole: FlameTree) => {
      if (whole !== tree) {
        tree = whole;
        ({value, x0, depth: depthOf, offset, children, total} = tree);
        focus = nodeOfPath(tree, focusPath);
        colours.clear(); // keyed by frame index, which differs between the two trees
        size();
      }
      partial = false;
      updateSearch();
      container.dataset.complete = "true";
    };
    const failed = (error: Error) => (status.textContent = `The full profile could not be read: ${error.message}`);
    requestAnimationFrame(() => setTimeout(() => void complete().then(swap, failed), 0));
  } else container.dataset.complete = "true";
  if (searchBox.value) updateSearch();
  else draw();
  return container;
}

/** The node at the end of a call path (names from the root), or the deepest one found on the way. */
function nodeOfPath(tree: FlameTree, path: string[]): number {
  let node = 0;
  for (const name of path) {
    let next = -1;
    for (let c = tree.offset[node]; c < tree.offset[node + 1] && next === -1; c++) if (nameOf(tree, tree.children[c]) === name) next = tree.children[c];
    if (next === -1) break;
    node = next;
  }
  return node;
}

// An interactive flame graph drawn on canvas, so a profile with 100k unique stacks stays
// smooth: click a frame to zoom into it, reset, search (with the share of samples that
// match), tooltips, colour by crate/module. Frame names are drawn with fillText and shown
// in tooltips with textContent: text from captures is never parsed as markup.

export interface Stack {
  frames: string[];
  samples: number;
}

interface Node {
  name: string;
  value: number;
  depth: number;
  x0: number; // fraction of root, left edge
  children: Map<string, Node>;
  parent: Node | null;
}

const ROW = 18;

export function buildTree(stacks: Stack[]): Node {
  const root: Node = {name: "all", value: 0, depth: 0, x0: 0, children: new Map(), parent: null};
  for (const {frames, samples} of stacks) {
    root.value += samples;
    let node = root;
    for (const frame of frames) {
      let child = node.children.get(frame);
      if (!child) {
        child = {name: frame, value: 0, depth: node.depth + 1, x0: 0, children: new Map(), parent: node};
        node.children.set(frame, child);
      }
      child.value += samples;
      node = child;
    }
  }
  // Lay out children left to right, widest first, as fractions of the root.
  const place = (node: Node) => {
    let x = node.x0;
    for (const child of [...node.children.values()].sort((a, b) => b.value - a.value)) {
      child.x0 = x;
      x += child.value / root.value;
      place(child);
    }
  };
  place(root);
  return root;
}

/** The crate or module a frame belongs to, for its colour: `blake3::portable::…` → `blake3`. */
export function moduleOf(frame: string): string {
  const rust = /^(?:<)?([A-Za-z_][\w]*)::/.exec(frame);
  if (rust) return rust[1];
  if (frame.startsWith("JS:")) return "js";
  if (/^\[/.test(frame)) return frame;
  return frame.split(/[_.]/)[0] || frame;
}

function colour(module: string, matched: boolean): string {
  let h = 0;
  for (let i = 0; i < module.length; i++) h = (h * 31 + module.charCodeAt(i)) >>> 0;
  return matched ? "#e040fb" : `hsl(${20 + (h % 40)}, ${60 + (h % 30)}%, ${55 + ((h >> 5) % 15)}%)`;
}

/** Samples in stacks that have a frame matching `test`, each stack counted once. */
export function matchedSamples(root: Node, test: (name: string) => boolean): number {
  let total = 0;
  const visit = (node: Node) => {
    if (node !== root && test(node.name)) total += node.value;
    else for (const child of node.children.values()) visit(child);
  };
  visit(root);
  return total;
}

/** Share of samples per call path (frames joined by NUL), for differential colouring. */
function pathShares(root: Node): Map<string, number> {
  const shares = new Map<string, number>();
  const visit = (node: Node, path: string) => {
    for (const child of node.children.values()) {
      const p = path + "\u0000" + child.name;
      shares.set(p, child.value / root.value);
      visit(child, p);
    }
  };
  visit(root, "");
  return shares;
}

function pathOf(node: Node): string {
  let path = "";
  for (let n: Node | null = node; n && n.parent; n = n.parent) path = "\u0000" + n.name + path;
  return path;
}

/** Red where a frame's share of samples grew against the baseline, blue where it shrank. */
function diffColour(delta: number): string {
  const t = Math.min(1, Math.abs(delta) / 0.1);
  return delta >= 0 ? `hsl(0, ${30 + 60 * t}%, ${85 - 35 * t}%)` : `hsl(220, ${30 + 60 * t}%, ${85 - 35 * t}%)`;
}

export function flameGraph(stacks: Stack[], {width = 960, baseline}: {width?: number; baseline?: Stack[]} = {}): HTMLElement {
  const root = buildTree(stacks);
  const base = baseline ? pathShares(buildTree(baseline)) : null;
  let focus = root;
  let search: RegExp | null = null;
  let depth = 0;
  const measureDepth = (n: Node) => {
    depth = Math.max(depth, n.depth);
    for (const c of n.children.values()) measureDepth(c);
  };
  measureDepth(root);

  const container = document.createElement("div");
  container.className = "flamegraph";
  const controls = document.createElement("div");
  const input = document.createElement("input");
  input.type = "search";
  input.placeholder = "search frames (regular expression)";
  input.style.width = "320px";
  const reset = document.createElement("button");
  reset.textContent = "Reset zoom";
  const status = document.createElement("span");
  status.className = "flamegraph-status";
  status.style.marginLeft = "1em";
  controls.append(input, reset, status);
  const canvas = document.createElement("canvas");
  const height = (depth + 1) * ROW;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const tooltip = document.createElement("div");
  tooltip.className = "flamegraph-tooltip";
  Object.assign(tooltip.style, {position: "absolute", pointerEvents: "none", background: "var(--theme-background)", border: "1px solid var(--theme-foreground-faint)", padding: "4px 6px", font: "12px var(--sans-serif)", display: "none", maxWidth: "600px", overflowWrap: "anywhere"});
  const wrapper = document.createElement("div");
  wrapper.style.position = "relative";
  wrapper.append(canvas, tooltip);
  container.append(controls, wrapper);
  const context = canvas.getContext("2d")!;

  const scaleX = (node: Node) => {
    const span = focus.value / root.value;
    return {x: ((node.x0 - focus.x0) / span) * width, w: (node.value / root.value / span) * width};
  };

  function draw(): void {
    const started = performance.now();
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.font = "11px sans-serif";
    context.textBaseline = "middle";
    const visit = (node: Node) => {
      const {x, w} = scaleX(node);
      if (w < 0.5 || x + w < 0 || x > width) return;
      const y = node.depth * ROW;
      const matched = search !== null && search.test(node.name);
      context.fillStyle =
        node === root ? "#ccc" : base && !matched ? diffColour(node.value / root.value - (base.get(pathOf(node)) ?? 0)) : colour(moduleOf(node.name), matched);
      context.fillRect(x, y, Math.max(w - 0.5, 0.5), ROW - 1);
      if (w > 30) {
        context.fillStyle = "#000";
        const label = node.name.length * 6.5 > w - 6 ? node.name.slice(0, Math.max(0, Math.floor((w - 6) / 6.5) - 1)) + "…" : node.name;
        context.fillText(label, x + 3, y + ROW / 2);
      }
      for (const child of node.children.values()) visit(child);
    };
    visit(root);
    canvas.dataset.drawMs = String(Math.round(performance.now() - started));
    canvas.dataset.focus = focus === root ? "" : focus.name;
  }

  function nodeAt(px: number, py: number): Node | null {
    const level = Math.floor(py / ROW);
    let node: Node | null = root;
    while (node && node.depth < level) {
      let next: Node | null = null;
      for (const child of node.children.values()) {
        const {x, w} = scaleX(child);
        if (px >= x && px < x + w) {
          next = child;
          break;
        }
      }
      node = next;
    }
    return node;
  }

  function updateSearch(): void {
    const text = input.value.trim();
    try {
      search = text ? new RegExp(text) : null;
    } catch {
      search = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    }
    const started = performance.now();
    if (search) {
      const n = matchedSamples(root, (name) => search!.test(name));
      status.textContent = `${n.toLocaleString("en-US")} of ${root.value.toLocaleString("en-US")} samples match (${((n / root.value) * 100).toFixed(1)}%)`;
      status.dataset.matched = String(n);
    } else {
      status.textContent = "";
      delete status.dataset.matched;
    }
    draw();
    status.dataset.searchMs = String(Math.round(performance.now() - started));
  }

  canvas.addEventListener("click", (event) => {
    const node = nodeAt(event.offsetX, event.offsetY);
    if (node && node.value > 0) {
      focus = node === focus ? focus.parent ?? root : node;
      draw();
    }
  });
  canvas.addEventListener("mousemove", (event) => {
    const node = nodeAt(event.offsetX, event.offsetY);
    if (!node) {
      tooltip.style.display = "none";
      return;
    }
    const share = node.value / root.value;
    const change = base && node !== root ? `, ${((share - (base.get(pathOf(node)) ?? 0)) * 100).toFixed(1)} points vs baseline` : "";
    tooltip.textContent = `${node.name} — ${node.value.toLocaleString("en-US")} samples (${(share * 100).toFixed(1)}%${change})`;
    Object.assign(tooltip.style, {display: "block", left: `${Math.min(event.offsetX + 12, width - 300)}px`, top: `${event.offsetY + 12}px`});
  });
  canvas.addEventListener("mouseleave", () => (tooltip.style.display = "none"));
  reset.addEventListener("click", () => {
    focus = root;
    draw();
  });
  input.addEventListener("input", updateSearch);
  draw();
  return container;
}

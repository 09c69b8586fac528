// FlameScope's sub-second heat map of on-CPU samples, on canvas: a column per second, a
// row per slice of the second (top = the start of the second), darker red = more samples.
// Click a cell to start a range and another to end it; the element's value is then
// {from, to} in seconds (null for the whole profile), so `view()` re-runs whatever reads
// it. Numbers only are drawn: no text from captures reaches this component.
import type {SubsecondGrid} from "./findings.generated.js";

export interface TimeRange {
  from: number;
  to: number;
}

export interface HeatmapOptions {
  width?: number;
  /** Pixel height of the grid. */
  height?: number;
  /** The range selected when drawn (from the URL). */
  value?: TimeRange | null;
}

type HeatmapElement = HTMLDivElement & {value: TimeRange | null};

export function subsecondHeatmap(grid: SubsecondGrid, {width = 960, height = 200, value = null}: HeatmapOptions = {}): HeatmapElement {
  const {columns, rows, counts, max} = grid;
  const cellWidth = Math.max(2, Math.min(32, Math.floor((width - 40) / Math.max(columns, 1))));
  const cellHeight = Math.max(2, Math.floor(height / rows));
  const [gridWidth, gridHeight] = [cellWidth * columns, cellHeight * rows];
  const container = document.createElement("div") as HeatmapElement;
  container.className = "subsecond-heatmap";
  const canvas = document.createElement("canvas");
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, gridWidth) * ratio;
  canvas.height = (gridHeight + 18) * ratio;
  canvas.style.width = `${gridWidth}px`;
  canvas.style.height = `${gridHeight + 18}px`;
  canvas.style.cursor = "crosshair";
  const status = document.createElement("div");
  status.className = "subsecond-status";
  status.style.font = "13px var(--sans-serif)";
  const clear = document.createElement("button");
  clear.textContent = "Whole profile";
  container.append(canvas, status, clear);
  const context = canvas.getContext("2d")!;
  context.scale(ratio, ratio);

  // Time of a cell's start; a range runs from its first cell's start to its last cell's end.
  const timeOf = (column: number, row: number) => column + row / rows;
  let selected: TimeRange | null = value;
  let anchor: number | null = null; // the first click's time, while a range is being chosen

  function draw(): void {
    context.clearRect(0, 0, gridWidth, gridHeight + 18);
    for (let c = 0; c < columns; c++) {
      for (let r = 0; r < rows; r++) {
        const n = counts[c * rows + r];
        const start = timeOf(c, r);
        const inRange = selected !== null && start >= selected.from - 1e-9 && start < selected.to - 1e-9;
        // FlameScope's scale: white for none, to deep red at the busiest cell.
        const t = max > 0 ? n / max : 0;
        context.fillStyle = n === 0 ? "#f7f7f7" : `hsl(${inRange ? 210 : 5}, ${60 + 30 * t}%, ${92 - 52 * t}%)`;
        context.fillRect(c * cellWidth, r * cellHeight, cellWidth - (cellWidth > 3 ? 1 : 0), cellHeight);
      }
    }
    if (anchor !== null) {
      const [c, r] = [Math.floor(anchor), Math.round((anchor % 1) * rows)];
      context.strokeStyle = "#1565c0";
      context.strokeRect(c * cellWidth + 0.5, r * cellHeight + 0.5, cellWidth - 1, cellHeight - 1);
    }
    context.fillStyle = "currentColor";
    context.font = "11px sans-serif";
    const every = Math.max(1, Math.ceil(40 / cellWidth));
    for (let c = 0; c < columns; c += every) context.fillText(`${c}`, c * cellWidth, gridHeight + 13);
  }

  const cellAt = (event: MouseEvent) => {
    const c = Math.floor(event.offsetX / cellWidth);
    const r = Math.floor(event.offsetY / cellHeight);
    return c >= 0 && c < columns && r >= 0 && r < rows ? {c, r} : null;
  };
  const describe = (range: TimeRange | null) =>
    range ? `Selected ${range.from.toFixed(2)}–${range.to.toFixed(2)} s: the flame graph below shows only these samples.` : "Whole profile selected. Click a cell to start a range, then another to end it.";
  const set = (range: TimeRange | null) => {
    selected = range;
    container.value = range;
    status.textContent = describe(range);
    draw();
    container.dispatchEvent(new Event("input", {bubbles: true}));
  };

  canvas.addEventListener("click", (event) => {
    const cell = cellAt(event);
    if (!cell) return;
    const time = timeOf(cell.c, cell.r);
    if (anchor === null) {
      anchor = time;
      status.textContent = `Range starts at ${time.toFixed(2)} s; click the cell where it ends.`;
      draw();
      return;
    }
    const [a, b] = anchor <= time ? [anchor, time] : [time, anchor];
    anchor = null;
    set({from: a, to: b + 1 / rows});
  });
  canvas.addEventListener("mousemove", (event) => {
    const cell = cellAt(event);
    if (!cell) return;
    const n = counts[cell.c * rows + cell.r];
    canvas.title = `${timeOf(cell.c, cell.r).toFixed(2)}–${timeOf(cell.c, cell.r + 1).toFixed(2)} s: ${n.toLocaleString("en-US")} sample${n === 1 ? "" : "s"}`;
  });
  clear.addEventListener("click", () => {
    anchor = null;
    set(null);
  });

  container.value = selected;
  status.textContent = describe(selected);
  draw();
  return container;
}

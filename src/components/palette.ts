// One colour per class on every page: a block-I/O class (RWBS flags, by their first letter:
// reads, writes, discards, flushes) and an off-CPU class keep their colour in every chart,
// legend and flame graph.

/** Off-CPU classes (loaders/findings/offcpu.ts OFFCPU_CLASSES), and on-CPU time beside them. */
export const OFFCPU_COLOURS: Record<string, string> = {futex: "#e4a83a", network: "#4c9ed9", disk: "#8d6e63", sleep: "#8fbc5a", poll: "#9b7fd1", other: "#b8b8b8"};
export const ONCPU_COLOUR = "#c0392b";

/** Block-I/O class hues by the class's first RWBS letter: reads blue, writes orange, discards green, flushes red. */
const IO_HUE: Record<string, number> = {R: 212, W: 28, D: 120, F: 2, N: 285};
/** Every I/O together: drawn as an outline or in grey, never stacked with its parts. */
export const ALL_COLOUR = "#555555";

/** The colour of a series: an off-CPU class, an I/O class by its RWBS letter, `all`; else a stable hash hue. */
export function seriesColour(name: string): string {
  if (name === "all") return ALL_COLOUR;
  if (name in OFFCPU_COLOURS) return OFFCPU_COLOURS[name];
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  // A class takes its family's hue (W, WS, WFS… orange), told apart by lightness; the same
  // name gets the same shade on every page.
  const hue = /^[RWDFN][A-Z]*$/.test(name) ? IO_HUE[name[0]] : undefined;
  if (hue !== undefined) return name.length === 1 ? `hsl(${hue}, 70%, 45%)` : `hsl(${hue}, 70%, ${28 + (h % 6) * 8}%)`;
  return `hsl(${h % 360}, 45%, 50%)`;
}

/** A vega-lite colour scale giving each of `names` its colour. */
export const colourScale = (names: string[]) => {
  const domain = [...new Set(names)];
  return {domain, range: domain.map(seriesColour)};
};

// Framework keeps a data loader's output until the loader's own source changes. Captures
// can change under it, or BPFBOOK_CAPTURES can point at another folder with the same
// bundle ids, so builds and dev sessions start with no capture-derived outputs.
// Conversions stay cached by content (loaders/cache.ts), so this costs little.
import {rmSync} from "node:fs";
import {join} from "node:path";

export function clearCaptureOutputs(root = "src"): void {
  const cache = join(root, ".observablehq", "cache");
  rmSync(join(cache, "captures"), {recursive: true, force: true});
  rmSync(join(cache, "bundles.json"), {force: true});
}

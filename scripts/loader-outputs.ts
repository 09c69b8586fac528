// Framework keeps a data loader's output until the loader's own source changes. Captures
// can change under it, or BPFBOOK_CAPTURES can point at another folder with the same
// bundle ids, so builds and dev sessions start with no loader outputs at all. Framework's
// own folders (`_npm`, `_observablehq`, …) stay; conversions stay cached by content
// (loaders/cache.ts), so this costs little.
import {existsSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";

export function clearCaptureOutputs(root = "src"): void {
  const cache = join(root, ".observablehq", "cache");
  if (!existsSync(cache)) return;
  for (const entry of readdirSync(cache)) {
    if (!entry.startsWith("_")) rmSync(join(cache, entry), {recursive: true, force: true});
  }
}

// Framework keeps a data loader's output until the loader's own source changes. Captures
// can change under it (or BPFBOOK_CAPTURES can point at another folder with the same
// bundle ids), and so can the library the loaders import. So before a build or dev
// session, a bundle's loader outputs are kept only if its content hash and the loaders'
// code are what they were when the outputs were made; the cross-bundle outputs (home,
// compare, failed list) are always remade. Framework's own folders (`_npm`, …) stay.
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {capturesDir, listBundles} from "../loaders/bundle.js";
import {bundleHash} from "../loaders/cache.js";
import {sourcesHash} from "../loaders/hash.js";
import {userFindingFiles} from "../loaders/findings/user.js";

const RECORD = "_bpfbook-outputs.json";

/** The code the loaders run: everything under loaders/, the page loaders and the analyst's findings. */
const codeHash = () => sourcesHash(["loaders", join("src", "captures"), ...userFindingFiles()], /\.(ts|bt)$/);

export function clearCaptureOutputs(root = "src", captures = capturesDir()): void {
  const cache = join(root, ".observablehq", "cache");
  const current = {code: codeHash(), bundles: Object.fromEntries(listBundles(captures).map((id) => [id, bundleHash(join(captures, id))]))};
  let recorded: typeof current = {code: "", bundles: {}};
  try {
    recorded = JSON.parse(readFileSync(join(cache, RECORD), "utf8"));
  } catch {
    // no record: nothing kept
  }
  if (existsSync(cache)) {
    for (const entry of readdirSync(cache)) {
      if (!entry.startsWith("_") && entry !== "captures") rmSync(join(cache, entry), {recursive: true, force: true});
    }
    const outputs = join(cache, "captures");
    for (const id of existsSync(outputs) ? readdirSync(outputs) : []) {
      const fresh = recorded.code === current.code && id in current.bundles && recorded.bundles[id] === current.bundles[id];
      if (!fresh) rmSync(join(outputs, id), {recursive: true, force: true});
    }
  }
  mkdirSync(cache, {recursive: true});
  writeFileSync(join(cache, RECORD), JSON.stringify(current));
}

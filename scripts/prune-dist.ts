// Framework copies duckdb-wasm's MVP build into dist/ even when the config disables that
// platform; every current browser runs the EH build, so drop the unused 40 MB.
import {existsSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";

const dir = join(process.env.BPFBOOK_DIST || "dist", "_npm", "@duckdb");
if (existsSync(dir)) {
  for (const version of readdirSync(dir)) {
    const dist = join(dir, version, "dist");
    if (!existsSync(dist)) continue;
    for (const file of readdirSync(dist)) if (/mvp/.test(file)) rmSync(join(dist, file));
  }
}

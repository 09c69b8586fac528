// Faults: a converter killed mid-write, a disk that fills part way, a capture cut off
// mid-line, and bundles that no longer match their manifest. Nothing partial is left
// where a reader would take it for whole, and every failure names what failed.
import assert from "node:assert/strict";
import {spawn, spawnSync} from "node:child_process";
import {appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {convertToParquet} from "../loaders/convert.js";
import {openTables} from "../loaders/findings/node.js";
import {perfScript} from "../bench/generate.js";
import {cli, reconciles, tempDir} from "./helpers.js";

const EMBEDDED = join("data", "captures", "demo-fsync");

const leftovers = (dir: string) => readdirSync(dir).filter((f) => /\.(tmp|old)-/.test(f));

test("a converter killed while writing leaves no table folder, and the next run sweeps its temporary one", async () => {
  const bundle = join(tempDir("kill"), "big");
  mkdirSync(bundle);
  await perfScript(join(bundle, "05-oncpu.perf-script.txt"), 40e6);
  const parent = tempDir("kill-out");
  const out = join(parent, "tables");
  const child = spawn(process.execPath, ["--import", "tsx", "loaders/cli.ts", "convert", bundle, "--out", out], {stdio: "ignore"});
  // Kill it the moment its temporary output folder appears: mid-write.
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (leftovers(parent).length > 0) {
        clearInterval(poll);
        child.kill("SIGKILL");
        resolve();
      }
    }, 5);
    child.on("exit", () => {
      clearInterval(poll);
      reject(new Error("the converter finished before it could be killed"));
    });
  });
  await new Promise((r) => child.on("exit", r));
  assert.equal(existsSync(out), false, "no table folder from a killed run");
  assert.equal(leftovers(parent).length, 1, "its temporary folder is all that is left");
  await convertToParquet(bundle, out);
  assert.deepEqual(leftovers(parent), [], "the next run swept it");
  const db = await openTables(out);
  assert.ok(Number((await db.query("SELECT count(*) AS n FROM stacks"))[0].n) > 0);
  db.close();
});

test("a disk that fills during the Parquet write: the error names the folder, the previous tables stay whole", async (t) => {
  const mount = tempDir("full-disk");
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mount], {encoding: "utf8"});
  if (mounted.status !== 0) {
    if (process.env.CI) throw new Error(`CI runs as root and must be able to mount a small tmpfs: ${mounted.stderr}`);
    t.skip(`cannot mount a small tmpfs to fill (${mounted.stderr.trim()}): needs root`);
    return;
  }
  try {
    const out = join(mount, "tables");
    await convertToParquet(EMBEDDED, out);
    const before = readFileSync(join(out, "captures.parquet"));
    // Fill the disk but for a few kilobytes, then convert a larger bundle into the same place.
    spawnSync("sh", ["-c", `head -c 100000000 /dev/zero > ${mount}/filler 2>/dev/null; rm -f ${mount}/filler; head -c $(( $(stat -f -c '%a*%S' ${mount}) - 65536 )) /dev/zero > ${mount}/filler`]);
    const bigger = join(tempDir("full-disk-src"), "b");
    cpSync(EMBEDDED, bigger, {recursive: true});
    await perfScript(join(bigger, "06-more.perf-script.txt"), 4e6);
    await assert.rejects(convertToParquet(bigger, out), (error: Error) => {
      assert.match(error.message, /space|disk|write|IO Error/i);
      return true;
    });
    assert.deepEqual(readFileSync(join(out, "captures.parquet")), before, "the previous tables are untouched");
    assert.deepEqual(leftovers(mount), [], "no partial folder left beside them");
  } finally {
    spawnSync("umount", [mount]);
  }
});

test("a capture cut off mid-line (its writer killed) converts with every line accounted for", async () => {
  const bundle = join(tempDir("cut"), "cut");
  cpSync(EMBEDDED, bundle, {recursive: true});
  rmSync(join(bundle, "manifest.json"));
  const source = readFileSync(join(EMBEDDED, "03-offcpu.txt"), "utf8");
  // A writer that prints the capture slowly, killed part way through a line.
  const target = join(bundle, "03-offcpu.txt");
  writeFileSync(target, "");
  const writer = spawn(process.execPath, ["-e", `
    const fs = require("fs"); const text = ${JSON.stringify(source)}; let i = 0;
    setInterval(() => { fs.appendFileSync(${JSON.stringify(target)}, text.slice(i, i + 97)); i += 97; }, 1);`]);
  while (statSync(target).size < 500) await new Promise((r) => setTimeout(r, 5));
  writer.kill("SIGKILL");
  await new Promise((r) => writer.on("exit", r));
  const written = readFileSync(target, "utf8");
  assert.ok(written.length > 0 && written.length < source.length, "killed part way");
  if (written.endsWith("\n")) appendFileSync(target, "@ks[12"); // make sure the last line is cut
  const out = join(tempDir("cut-out"), "t");
  const summary = await convertToParquet(bundle, out, {strict: false});
  const file = summary.files.find((f) => f.file === "03-offcpu.txt")!;
  assert.ok(reconciles(file), JSON.stringify(file));
  assert.equal(file.lines, readFileSync(target, "utf8").split("\n").length);
});

test("npm run check: ok against the manifest; a changed, missing or extra file fails naming it", async () => {
  const bundle = join(tempDir("check"), "b");
  cpSync(EMBEDDED, bundle, {recursive: true});
  const ok = await cli(["check", bundle]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /ok, 11 files match the manifest/);
  const changed = join(bundle, "01-fsync-latency.txt");
  const text = readFileSync(changed, "utf8");
  writeFileSync(changed, text.replace(/\d/, (d) => String((Number(d) + 1) % 10)));
  rmSync(join(bundle, "02-bio-latency.stderr"));
  writeFileSync(join(bundle, "99-extra.txt"), "x\n");
  const bad = await cli(["check", bundle]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /01-fsync-latency\.txt: sha256 differs from the manifest/);
  assert.match(bad.stdout, /02-bio-latency\.stderr: missing/);
  assert.match(bad.stdout, /99-extra\.txt: not in the manifest/);
  const none = join(tempDir("check-none"), "n");
  mkdirSync(none);
  writeFileSync(join(none, "01-fsync-latency.txt"), text);
  const missing = await cli(["check", none]);
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /no manifest\.json/);
});

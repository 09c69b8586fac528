// An analyst's own findings (docs/analysis.md, "Your own findings"): the documented example
// dropped into a findings folder runs after the built-in findings on a real bundle, in
// findings.json as `npm run findings` prints it; a broken file is named; a finding that
// throws says it cannot tell. (The site and live-reload halves: site.test.ts, dev.test.ts.)
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {builtinFindings, runFinding} from "../loaders/findings/index.js";
import {loadFindings} from "../loaders/findings/user.js";
import {exampleFolder, tempDir} from "./helpers.js";


test("the documented example runs after the built-in findings, in npm run findings", () => {
  const run = spawnSync("node", ["bin/bpfbook.js", "findings", join("data", "captures", "demo-fsync")], {env: {...process.env, BPFBOOK_FINDINGS: exampleFolder()}, encoding: "utf8"});
  assert.equal(run.status, 0, run.stderr);
  const {findings} = JSON.parse(run.stdout) as {findings: {id: string; verdict: string; narrative: string; metrics: Record<string, number | string>}[]};
  assert.deepEqual(findings.map((f) => f.id), [...builtinFindings.map((f) => f.id), "example.busiest_thread"]);
  const mine = findings.at(-1)!;
  // Its numbers are the bundle's: the top thread's calls over every thread's, from the view.
  assert.match(mine.narrative, new RegExp(`^From 04-writepath-syscalls\\.txt: ${mine.metrics.thread} made ${Number(mine.metrics.calls).toLocaleString("en-US")} of the`));
  assert.ok(Number(mine.metrics.calls) > 0 && Number(mine.metrics.calls) <= Number(mine.metrics.all_calls));
});

test("the example on other rows: another thread, another share; no rows → cannot tell", async () => {
  const [spec] = (await loadFindings(exampleFolder())).slice(-1);
  const rows = [
    {file: "a.txt", thread: "db", calls: 30},
    {file: "a.txt", thread: "net", calls: 10},
    {file: "b.txt", thread: "other", calls: 5}
  ];
  const f = await runFinding(spec, async () => rows);
  assert.equal(f.verdict, "db makes 75% of the calls");
  assert.equal(f.headline, "75.0%");
  const none = await runFinding(spec, async () => []);
  assert.equal(none.conclusive, false);
  assert.match(none.verdict, /^cannot tell/);
});

test("a finding file that breaks the contract is named with what is wrong", async () => {
  const dir = tempDir("bad-findings");
  // One folder per case: a module, once imported, stays cached under its path.
  const folderWith = (name: string, text: string) => {
    const folder = join(dir, name.replace(/\W/g, ""));
    mkdirSync(folder);
    writeFileSync(join(folder, name), text);
    return folder;
  };
  const badId = folderWith("a.ts", `export default {id: "Not An Id", title: "x", queries: {q: "SELECT 1"}, evaluate: () => ({})};\n`);
  await assert.rejects(loadFindings(badId), (e: Error) => e.message.includes(join(badId, "a.ts")) && /is not a finding id/.test(e.message));
  await assert.rejects(loadFindings(folderWith("b.ts", `export default {id: "durability.fsync", title: "x", queries: {q: "SELECT 1"}, evaluate: () => ({})};\n`)), /b\.ts: id durability\.fsync is already taken/);
  await assert.rejects(loadFindings(folderWith("c.js", `export default {queries: {}};\n`)), /c\.js: id undefined is not a finding id/);
  const syntax = folderWith("d.ts", `export default {id: "x.y", title: "x", queries: {q: "SELECT 1"}, evaluate: () => ({}) ;\n`);
  await assert.rejects(loadFindings(syntax), (e: Error) => e.message.startsWith(`${join(syntax, "d.ts")}: cannot load this finding`));
  // Helpers and drafts (`_`-prefixed) and declaration files are not findings.
  mkdirSync(join(dir, "ok"));
  writeFileSync(join(dir, "ok", "_helper.ts"), "export const x = 1;\n");
  writeFileSync(join(dir, "ok", "types.d.ts"), "export {};\n");
  assert.equal((await loadFindings(join(dir, "ok"))).length, builtinFindings.length);
});

test("a finding that throws, or whose SQL fails, says it cannot tell and why; the others still run", async () => {
  const dir = tempDir("throwing-findings");
  writeFileSync(join(dir, "a.ts"), `export default {id: "x.throws", title: "Throws", queries: {q: "SELECT 1"}, evaluate() { throw new Error("boom"); }};\n`);
  const [spec] = (await loadFindings(dir)).slice(-1);
  const f = await runFinding(spec, async () => [{x: 1}]);
  assert.equal(f.verdict, "cannot tell: the finding failed");
  assert.equal(f.conclusive, false);
  assert.match(f.narrative, /boom/);
  const failedSql = await runFinding(spec, async () => {
    throw new Error("Catalog Error: Table with name nope does not exist");
  });
  assert.match(failedSql.narrative, /Table with name nope/);
});

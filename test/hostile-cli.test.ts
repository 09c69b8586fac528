// Hostile capture text on a terminal: the CLI's output carries no raw control, C1 or bidi
// characters (they could rewrite or reorder the screen), yet loses nothing: the findings
// JSON parses back to the exact names.
import assert from "node:assert/strict";
import {join} from "node:path";
import {test} from "node:test";
import {cli, tempDir} from "./helpers.js";

const HOSTILE = join("test", "fixtures", "hostile");
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test("findings and convert print hostile names with terminal controls escaped", async () => {
  const findings = await cli(["findings", HOSTILE]);
  assert.equal(findings.status, 0, findings.stderr);
  assert.doesNotMatch(findings.stdout, UNSAFE);
  assert.match(findings.stdout, /\\u202eevil\\u202c/, "the bidi override is shown as an escape");
  const parsed = JSON.parse(findings.stdout) as {findings: {id: string; narrative: string}[]};
  const fsync = parsed.findings.find((f) => f.id === "durability.fsync")!;
  assert.match(fsync.narrative, /\u202eevil\u202c 2 times/, "and parses back to the exact name");
  assert.match(fsync.narrative, /<img src=x onerror=alert\(1\)> 3 times/);

  const convert = await cli(["convert", HOSTILE, "--out", join(tempDir("hostile-cli"), "t")]);
  assert.equal(convert.status, 0, convert.stderr);
  assert.doesNotMatch(convert.stdout, UNSAFE);
  assert.match(convert.stdout, /05-oncpu\.folded .* problems=2 +lines 6\/6 accounted/);
});

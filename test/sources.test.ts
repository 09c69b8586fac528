// Declared sources (#19): the sources file is checked entry by entry; the build fetches an
// https tarball (self-signed, trusted through NODE_EXTRA_CA_CERTS) and a folder, fetches
// nothing when they are unchanged, refetches and reconverts a changed tarball, fails a
// wrong sha256 by name while the rest builds, and keeps the last copy of a source it cannot
// reach, saying so on the pages.
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {createHash} from "node:crypto";
import {cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync} from "node:fs";
import type {Server as HttpServer} from "node:http";
import type {Server} from "node:https";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {SourcesError, parseSources, syncSources} from "../loaders/sources.js";
import {serve} from "../scripts/serve.js";
import {launch, visit} from "./browser.js";
import {conversionsIn} from "../loaders/cache.js";
import {cli, tempDir} from "./helpers.js";
import {httpsLoopback} from "./loopback.js";
import {tarGz} from "./tarball.js";

let certFile: string;
let server: Server;
let origin: string;
/** What the server hands out per path, and how it answered. */
const served = new Map<string, Buffer>();
const unavailable = new Set<string>();
const answered: {path: string; status: number}[] = [];

const etagOf = (body: Buffer) => `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;

before(async () => {
  const loopback = await httpsLoopback((req, res) => {
    const path = req.url ?? "";
    const body = served.get(path);
    const status = unavailable.has(path) ? 503 : body === undefined ? 404 : req.headers["if-none-match"] === etagOf(body) ? 304 : 200;
    answered.push({path, status});
    if (status !== 200) return void res.writeHead(status).end();
    res.writeHead(200, {"content-type": "application/gzip", "content-length": body!.length, etag: etagOf(body!)}).end(body);
  });
  ({server, origin, certFile} = loopback);
});
after(() => server?.close());

/** A bundle folder as a tarball of its files (its manifest left out: fetch writes one). */
const tarballOf = (dir: string) =>
  tarGz(readdirSync(dir).filter((f) => f !== "manifest.json").map((name) => ({name, body: readFileSync(join(dir, name), "utf8")})));

test("a sources file is checked entry by entry, naming the file, the entry and the mistake", () => {
  const ok = parseSources(JSON.stringify([
    {id: "a", from: "https://example.org/a.tar.gz", sha256: "A".repeat(64), windows: {"01-fsync-latency.txt": 60}, target: ["validator"]},
    {id: "b", from: "./b"},
    {id: "c", capture: {comm: "validator", duration: 10}}
  ]), "s.json");
  assert.deepEqual(ok.map((s) => s.id), ["a", "b", "c"]);
  assert.equal((ok[0] as {sha256: string}).sha256, "a".repeat(64));
  assert.deepEqual(ok[2], {id: "c", capture: {comm: "validator", duration: 10}});
  const cases: [unknown, RegExp][] = [
    [[{id: "a"}], /entry 1 \(a\): give exactly one of "from"/],
    [[{id: "a", from: "x", capture: {pid: 1}}], /entry 1 \(a\): give exactly one/],
    [[{id: "a", from: "x"}, {id: "a", from: "y"}], /entry 2 \(a\): id "a" is declared twice/],
    [[{id: "../up", from: "x"}], /entry 1 \(\.\.\/up\): "id" must be a bundle id/],
    [[{id: "a", from: "x", sha256: "abc"}], /"sha256" must be 64 hex digits/],
    [[{id: "a", form: "x", from: "y"}], /unknown key "form"/],
    [[{id: "a", from: "x", windows: {"f.txt": -1}}], /"windows" of f\.txt/],
    [[{id: "a", capture: {comm: "v", pid: 3}}], /exactly one of pid, comm, container/],
    [[{id: "a", capture: {comm: "v", duration: 1.5}}], /whole seconds/]
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseSources(JSON.stringify(value), "s.json"), (e: Error) => e instanceof SourcesError && message.test(e.message), String(message));
  }
  assert.throws(() => parseSources('[\n  {"id": "a",\n  "from": }\n]', "s.json"), /s\.json:3: not valid JSON/);
  assert.throws(() => parseSources('{"id": "a"}', "s.json"), /s\.json: expected a JSON list/);
});

test("a capture that cannot run here keeps the last capture of that id, or fails without one", async () => {
  const captures = tempDir("sources-captures");
  const blockers = () => ["root: run as root"];
  const [none] = await syncSources([{id: "live", capture: {comm: "validator", duration: 5}}], {captures, captureBlockers: blockers});
  assert.equal(none.action, "failed");
  assert.match(none.reason!, /cannot capture here: root/);
  cpSync(join("data", "captures", "demo-fsync"), join(captures, "live"), {recursive: true});
  const [kept] = await syncSources([{id: "live", capture: {comm: "validator", duration: 5}}], {captures, captureBlockers: blockers});
  assert.equal(kept.action, "kept");
  const startedAt = JSON.parse(readFileSync(join(captures, "live", "manifest.json"), "utf8")).started_at;
  assert.equal(kept.fetched_at, startedAt, "says when the kept capture was recorded");
  assert.match(kept.reason!, /cannot capture here/);
});

test("an https source that cannot be reached keeps its last copy; a 404 or plain http fails it", async () => {
  const captures = tempDir("sources-offline");
  served.set("/offline.tar.gz", tarballOf(join("data", "captures", "demo-nofsync")));
  const url = `${origin}/offline.tar.gz`;
  // This test's own process fetches: trust the certificate as NODE_EXTRA_CA_CERTS does for the builds.
  const tls = await import("node:tls");
  const ca = [...tls.rootCertificates, readFileSync(certFile, "utf8")];
  const https = await import("node:https");
  const agent = https.globalAgent as unknown as {options: {ca?: string[]}};
  agent.options.ca = ca;
  try {
    const [first] = await syncSources([{id: "o", from: url, windows: {}, target: [], sha256: null}], {captures});
    assert.equal(first.action, "fetched", first.reason ?? "");
    unavailable.add("/offline.tar.gz");
    const [kept] = await syncSources([{id: "o", from: url, windows: {}, target: [], sha256: null}], {captures});
    assert.equal(kept.action, "kept");
    assert.match(kept.reason!, /HTTP 503; using the copy fetched /);
    assert.equal(kept.fetched_at, first.fetched_at);
    // The server gone altogether (connection refused): the same.
    const closed = `https://127.0.0.1:1/offline.tar.gz`;
    const [refused] = await syncSources([{id: "o", from: closed, windows: {}, target: [], sha256: null}], {captures});
    assert.equal(refused.action, "kept");
    assert.match(refused.reason!, /ECONNREFUSED.*; using the copy fetched /);
    const [missing] = await syncSources([{id: "p", from: `${origin}/nothing.tar.gz`, windows: {}, target: [], sha256: null}], {captures});
    assert.equal(missing.action, "failed");
    assert.match(missing.reason!, /HTTP 404/);
    const [plain] = await syncSources([{id: "q", from: "http://127.0.0.1:1/x.tar.gz", windows: {}, target: [], sha256: null}], {captures});
    assert.equal(plain.action, "failed");
    assert.match(plain.reason!, /refusing plain http/);
  } finally {
    unavailable.delete("/offline.tar.gz");
    delete agent.options.ca;
  }
});

/** `npm run build`, not blocking this process: its https server answers the build's requests. */
test("npm run sources brings the declared sources in without building, and names a bad sources file", async () => {
  const work = tempDir("sources-cli");
  cpSync(join("data", "captures", "demo-nofsync"), join(work, "from-here"), {recursive: true});
  writeFileSync(join(work, "sources.json"), JSON.stringify([{id: "here", from: "from-here", windows: {"01-fsync-latency.txt": 8}}]));
  const env = {BPFBOOK_CAPTURES: join(work, "captures")};
  const first = await cli(["sources", "--file", join(work, "sources.json")], env);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^here: fetched \(from-here, fetched \d{4}-/);
  const manifest = JSON.parse(readFileSync(join(work, "captures", "here", "manifest.json"), "utf8"));
  assert.equal(manifest.files.find((f: {file: string}) => f.file === "01-fsync-latency.txt").window_s, 8);
  assert.match((await cli(["sources", "--file", join(work, "sources.json")], env)).stdout, /^here: unchanged/);
  writeFileSync(join(work, "sources.json"), '[{"id": "here", "from": "from-here"},\n {"id": "here", "from": "x"}]');
  const bad = await cli(["sources", "--file", join(work, "sources.json")], env);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /sources\.json: entry 2 \(here\): id "here" is declared twice/);
});

function build(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{status: number | null; log: string}> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "build", "--", ...args], {env: {...process.env, ...env}});
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    child.on("close", (status) => resolve({status, log}));
  });
}

const findingsOf = (dist: string, id: string) => JSON.parse(readFileSync(join(dist, "captures", id, "findings.json"), "utf8"));
const verdictOf = (dist: string, id: string, finding: string) => findingsOf(dist, id).findings.find((f: {id: string}) => f.id === finding).verdict;
const outcome = (log: string, id: string) => new RegExp(`bpfbook source ${id}: (\\w+)`).exec(log)?.[1];

test("the build brings in an https tarball and a folder, refetches only what changed, and fails a wrong sha256 by name", async () => {
  const work = tempDir("sources-build");
  const captures = join(work, "captures");
  const cache = join(work, "cache");
  const folder = join(work, "from", "local-bundle");
  cpSync(join("data", "captures", "demo-fsync"), folder, {recursive: true});
  served.set("/remote.tar.gz", tarballOf(join("data", "captures", "demo-nofsync")));
  served.set("/mirror.tar.gz", tarballOf(join("data", "captures", "demo-fsync")));
  const sourcesPath = join(work, "from", "sources.json");
  const declare = (remoteSha?: string) =>
    writeFileSync(sourcesPath, JSON.stringify([
      {id: "remote", from: `${origin}/remote.tar.gz`, ...(remoteSha ? {sha256: remoteSha} : {})},
      {id: "local", from: "./local-bundle"},
      {id: "mirror", from: `${origin}/mirror.tar.gz`}
    ], null, 2));
  const env = (dist: string) => ({BPFBOOK_SOURCES: sourcesPath, BPFBOOK_CAPTURES: captures, BPFBOOK_CACHE: cache, BPFBOOK_DIST: dist, NODE_EXTRA_CA_CERTS: certFile});
  const fetchedFrom = () => answered.filter((a) => a.status === 200).length;

  // 1. Everything is new: fetched, converted, built.
  declare();
  const dist1 = join(work, "dist1");
  answered.length = 0;
  const first = await build(env(dist1));
  assert.equal(first.status, 0, first.log.slice(-3000));
  for (const id of ["remote", "local", "mirror"]) {
    assert.equal(outcome(first.log, id), "fetched", id);
    assert.ok(existsSync(join(dist1, "captures", id, "index.html")), `${id} built`);
  }
  assert.equal(fetchedFrom(), 2, "each tarball downloaded once");
  const manifest = JSON.parse(readFileSync(join(captures, "remote", "manifest.json"), "utf8"));
  assert.equal(manifest.source, `${origin}/remote.tar.gz`);
  assert.equal(manifest.source_sha256, createHash("sha256").update(served.get("/remote.tar.gz")!).digest("hex"));
  assert.ok(manifest.fetched_at && manifest.source_etag);
  assert.equal(verdictOf(dist1, "remote", "durability.fsync"), "target never fsyncs");
  const conversions = conversionsIn(cache);
  assert.equal(conversions.length, 3);

  // 2. Nothing changed: nothing fetched, nothing converted (the server answers 304).
  answered.length = 0;
  const stamps = ["remote", "local", "mirror"].map((id) => statSync(join(captures, id, "manifest.json")).mtimeMs);
  const second = await build(env(join(work, "dist2")));
  assert.equal(second.status, 0, second.log.slice(-3000));
  for (const id of ["remote", "local", "mirror"]) assert.equal(outcome(second.log, id), "unchanged", id);
  assert.equal(fetchedFrom(), 0, "no tarball downloaded");
  assert.deepEqual(answered.map((a) => a.status), [304, 304]);
  assert.deepEqual(["remote", "local", "mirror"].map((id) => statSync(join(captures, id, "manifest.json")).mtimeMs), stamps, "no bundle replaced");
  assert.deepEqual(conversionsIn(cache), conversions, "nothing converted");

  // 3. The served tarball changes: it alone is fetched and converted again, and its findings follow.
  served.set("/remote.tar.gz", tarballOf(join("data", "captures", "demo-fsync")));
  answered.length = 0;
  const dist3 = join(work, "dist3");
  const third = await build(env(dist3));
  assert.equal(third.status, 0, third.log.slice(-3000));
  assert.equal(outcome(third.log, "remote"), "fetched");
  assert.equal(outcome(third.log, "local"), "unchanged");
  assert.equal(outcome(third.log, "mirror"), "unchanged");
  assert.equal(fetchedFrom(), 1);
  const added = conversionsIn(cache).filter((d) => !conversions.includes(d));
  assert.equal(added.length, 1, "one bundle converted again");
  assert.match(added[0], /^remote-/);
  assert.notEqual(verdictOf(dist3, "remote", "durability.fsync"), "target never fsyncs", "the new capture's fsyncs are found");

  // 4. A wrong sha256 fails that bundle by name and the others build; an unreachable one keeps
  // its copy. --strict: the build still completes, then exits 1.
  declare("0".repeat(64));
  unavailable.add("/mirror.tar.gz");
  const dist4 = join(work, "dist4");
  try {
    const fourth = await build(env(dist4), "--strict");
    assert.equal(fourth.status, 1, `--strict exits 1 for a failed source:\n${fourth.log.slice(-3000)}`);
    assert.match(fourth.log, /bpfbook source remote: failed \(.*remote\.tar\.gz\): sha256 of the tarball is [0-9a-f]{64}, the sources file declares 0{64}/);
    assert.match(fourth.log, /bundle remote not built: source .*remote\.tar\.gz: sha256/);
    assert.equal(outcome(fourth.log, "mirror"), "kept");
    assert.ok(!existsSync(join(dist4, "captures", "remote", "index.html")), "the failed source is not published");
    for (const id of ["local", "mirror"]) assert.ok(existsSync(join(dist4, "captures", id, "index.html")), `${id} still built`);

    // The pages say it: the home page lists each source and what this build did; the kept
    // bundle's summary says from where and when its copy came, and that it was not refreshed.
    const site: HttpServer = await serve(dist4, 0, "127.0.0.1");
    const browser = await launch();
    try {
      const at = `http://127.0.0.1:${(site.address() as {port: number}).port}`;
      const home = await visit(browser, at, "/", {ready: ".sources tbody tr"});
      assert.deepEqual(home.failures, []);
      const rows = await home.page.locator(".sources tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-source"), tr.getAttribute("data-action")]));
      assert.deepEqual(rows, [["remote", "failed"], ["local", "unchanged"], ["mirror", "kept"]]);
      assert.match(await home.page.locator("[data-failed=remote]").innerText(), /sha256/);
      const summary = await visit(browser, at, "/captures/mirror/", {ready: "p.source"});
      assert.deepEqual(summary.failures, []);
      const line = await summary.page.locator("p.source").innerText();
      const fetchedAt = JSON.parse(readFileSync(join(captures, "mirror", "manifest.json"), "utf8")).fetched_at;
      assert.ok(line.includes(`${origin}/mirror.tar.gz`), line);
      assert.ok(line.includes(`fetched ${fetchedAt}`), line);
      assert.match(line, /Not refreshed by this build: .*HTTP 503; using the copy fetched/);
    } finally {
      await browser.close();
      site.close();
    }
  } finally {
    unavailable.delete("/mirror.tar.gz");
  }
});

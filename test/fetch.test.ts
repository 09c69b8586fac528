// fetch brings bundles in from a folder, a tarball and an https URL on loopback, writes a
// verified manifest, and refuses what would be unsafe; convert prints its accounting.
import assert from "node:assert/strict";
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, chmodSync} from "node:fs";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {REFERENCE, cli, tempDir} from "./helpers.js";
import {type Loopback, httpsLoopback} from "./loopback.js";
import {tarGz} from "./tarball.js";

const FIXTURE = join("test", "fixtures", "hostile");
const fixtureEntries = () => readdirSync(FIXTURE).map((name) => ({name: `hostile/${name}`, body: readFileSync(join(FIXTURE, name), "utf8")}));


let loopback: Loopback;
let origin: string;
const routes = new Map<string, (res: import("node:http").ServerResponse) => void>();

before(async () => {
  loopback = await httpsLoopback((req, res) => {
    const route = routes.get(req.url ?? "");
    if (route) route(res);
    else res.writeHead(404).end();
  });
  origin = loopback.origin;
});
after(() => loopback?.server.close());

const trusted = () => ({NODE_EXTRA_CA_CERTS: loopback.certFile});

test("fetch from a folder writes a manifest with sha256, sizes and the given windows", async () => {
  const into = tempDir("into");
  const source = existsSync(REFERENCE) ? REFERENCE : FIXTURE;
  const r = await cli(["fetch", source, "--id", "ref", "--window", "01-fsync-latency.txt=60"], {BPFBOOK_CAPTURES: into});
  assert.equal(r.status, 0, r.stderr);
  const manifest = JSON.parse(readFileSync(join(into, "ref", "manifest.json"), "utf8"));
  const fsync = manifest.files.find((f: {file: string}) => f.file === "01-fsync-latency.txt");
  assert.equal(fsync.window_s, 60);
  assert.match(fsync.sha256, /^[0-9a-f]{64}$/);
  assert.equal(fsync.bytes, readFileSync(join(source, "01-fsync-latency.txt")).length);
  assert.ok(manifest.fetched_at && manifest.source);
  const again = await cli(["fetch", source, "--id", "ref"], {BPFBOOK_CAPTURES: into});
  assert.notEqual(again.status, 0, "an existing bundle is not replaced without --force");
  assert.match(again.stderr, /exists; pass --force/);
  assert.equal((await cli(["fetch", source, "--id", "ref", "--window", "nope.txt=5"], {BPFBOOK_CAPTURES: into})).status, 1);
});

test("fetch from a tarball unpacks a bundle packed with its folder", async () => {
  const dir = tempDir("tgz");
  writeFileSync(join(dir, "b.tar.gz"), tarGz([{name: "hostile/", type: "5"}, ...fixtureEntries()]));
  const into = tempDir("into");
  const r = await cli(["fetch", join(dir, "b.tar.gz")], {BPFBOOK_CAPTURES: into});
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(join(into, "b")).sort(), [...readdirSync(FIXTURE), "manifest.json"].sort());
});

test("fetch from an https URL on loopback, following an https redirect", async () => {
  routes.set("/b.tar.gz", (res) => res.writeHead(200, {"content-type": "application/gzip"}).end(tarGz(fixtureEntries())));
  routes.set("/moved", (res) => res.writeHead(302, {location: "/b.tar.gz"}).end());
  const into = tempDir("into");
  const r = await cli(["fetch", `${origin}/moved`, "--id", "web"], {BPFBOOK_CAPTURES: into, ...trusted()});
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(into, "web", "01-fsync-latency.txt")));
  assert.equal(JSON.parse(readFileSync(join(into, "web", "manifest.json"), "utf8")).source, `${origin}/moved`);
});

test("fetch refuses unsafe archives, plain http, redirects to http, oversize and slow downloads", async () => {
  const dir = tempDir("evil");
  const cases: [string, Buffer, RegExp][] = [
    ["dotdot", tarGz([{name: "../escape.txt", body: "x"}]), /leaves the bundle/],
    ["absolute", tarGz([{name: "/etc/evil.txt", body: "x"}]), /absolute path/],
    ["symlink", tarGz([{name: "link", type: "2", link: "/etc/passwd"}]), /SymbolicLink/],
    ["hardlink", tarGz([{name: "a.txt", body: "x"}, {name: "b.txt", type: "1", link: "a.txt"}]), /Link/],
    ["device", tarGz([{name: "dev", type: "3"}]), /CharacterDevice/],
    ["garbage", Buffer.from("this is not a tarball"), /not a readable tar archive/]
  ];
  for (const [name, bytes, reason] of cases) {
    writeFileSync(join(dir, `${name}.tar.gz`), bytes);
    const into = tempDir("into");
    const r = await cli(["fetch", join(dir, `${name}.tar.gz`)], {BPFBOOK_CAPTURES: into});
    assert.equal(r.status, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, reason, name);
    assert.deepEqual(readdirSync(into), [], `${name}: nothing left behind`);
  }
  assert.match((await cli(["fetch", "http://127.0.0.1:9/b.tar.gz"])).stderr, /refusing plain http/);
  routes.set("/to-http", (res) => res.writeHead(302, {location: "http://127.0.0.1:9/b.tar.gz"}).end());
  assert.match((await cli(["fetch", `${origin}/to-http`, "--id", "x"], {BPFBOOK_CAPTURES: tempDir("into"), ...trusted()})).stderr, /refusing redirect to non-https/);
  routes.set("/big", (res) => res.writeHead(200).end(Buffer.alloc(200_000)));
  assert.match((await cli(["fetch", `${origin}/big`, "--id", "x", "--max-bytes", "100000"], {BPFBOOK_CAPTURES: tempDir("into"), ...trusted()})).stderr, /limit/);
  routes.set("/slow", () => {}); // never answers
  assert.match((await cli(["fetch", `${origin}/slow`, "--id", "x", "--timeout", "500"], {BPFBOOK_CAPTURES: tempDir("into"), ...trusted()})).stderr, /timed out/);
});

test("fetch from a folder refuses links and sub-folders", async () => {
  const src = tempDir("src");
  writeFileSync(join(src, "a.txt"), "Attaching 1 probe...\n");
  mkdirSync(join(src, "sub"));
  const r = await cli(["fetch", src, "--id", "x"], {BPFBOOK_CAPTURES: tempDir("into")});
  assert.equal(r.status, 1);
  assert.match(r.stderr, /refusing a sub-folder/);
});

test("convert prints rows, problems and lines accounted per file; exits 0 despite damage, 1 if it cannot write", async () => {
  const bundle = join(tempDir("conv"), "damaged");
  mkdirSync(bundle);
  writeFileSync(join(bundle, "01-fsync-latency.txt"), "Attaching 1 probe...\n@calls[a]: 3\n[1, 2)   x |@|\n\u0000\u0001\n@cut[");
  const out = join(tempDir("out"), "tables");
  const r = await cli(["convert", bundle, "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /01-fsync-latency\.txt {2}\[fsync, bpftrace-text, tool not recognized\] {2}values=1 messages=1 {2}problems=3 {2}lines 5\/5 accounted/);
  assert.ok(existsSync(join(out, "problems.parquet")));
  const locked = tempDir("locked");
  chmodSync(locked, 0o500);
  const denied = await cli(["convert", bundle, "--out", join(locked, "sub", "tables")]);
  if (process.getuid?.() !== 0) {
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /could not write/);
  }
  const bad = await cli(["convert", bundle, "--out", "/proc/version/tables"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /could not write \/proc\/version\/tables/);
});

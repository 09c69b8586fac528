// A hostile archive is refused early and in bounded memory: a gzip bomb (one entry
// declaring gigabytes, a few MB on disk) is refused at its header, in a child process
// whose time and peak memory /usr/bin/time measures; folders refuse endless files (a FIFO,
// a link to /dev/zero) by type before reading them.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {fetchBundle} from "../loaders/fetch.js";
import {writeGzipBomb} from "./tarball.js";
import {tempDir} from "./helpers.js";

const GiB = 2 ** 30;
const hasTime = existsSync("/usr/bin/time");

test("a gzip bomb is refused at its first entry: exit 1 naming it and the limit, < 2 s, < 300 MB, no staging left", {skip: hasTime ? false : "/usr/bin/time not installed"}, () => {
  const dir = tempDir("bomb");
  const bomb = join(dir, "bomb.tar.gz");
  writeGzipBomb(bomb, "00-context.txt", 3 * GiB);
  const captures = join(dir, "captures");
  mkdirSync(captures);
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, "--import", "tsx", "loaders/cli.ts", "fetch", bomb, "--id", "bomb"], {
    env: {...process.env, BPFBOOK_CAPTURES: captures},
    encoding: "utf8"
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /entry 00-context\.txt declares 3221225472 bytes, which takes the bundle past the 536870912-byte limit/);
  const [seconds, kb] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  assert.ok(seconds < 2, `refused in ${seconds} s (node and tsx starting included)`);
  assert.ok(kb < 300 * 1024, `peak RSS ${Math.round(kb / 1024)} MB`);
  assert.deepEqual(readdirSync(captures), [], "no staging folder or bundle left behind");
});

test("an archive within the limit whose entries add up past it is refused at the entry that crosses it", async () => {
  const dir = tempDir("bomb-many");
  const bomb = join(dir, "many.tar.gz");
  writeGzipBomb(bomb, "zeros.folded", 64 * 1024 * 1024);
  await assert.rejects(fetchBundle(bomb, {into: join(dir, "into"), maxBytes: 32 * 1024 * 1024}), /entry zeros\.folded declares 67108864 bytes, which takes the bundle past the 33554432-byte limit/);
  assert.deepEqual(readdirSync(join(dir, "into")), []);
});

test("folders: a FIFO and a link to /dev/zero are refused by type, before anything is read", async () => {
  const from = join(tempDir("endless"), "bundle");
  mkdirSync(from);
  writeFileSync(join(from, "00-context.txt"), "# context\n");
  symlinkSync("/dev/zero", join(from, "01-zero.txt"));
  await assert.rejects(fetchBundle(from, {into: tempDir("into")}), /refusing a symbolic link/);
  const fifoFrom = join(tempDir("fifo"), "bundle");
  mkdirSync(fifoFrom);
  assert.equal(spawnSync("mkfifo", [join(fifoFrom, "01-pipe.txt")]).status, 0);
  await assert.rejects(fetchBundle(fifoFrom, {into: tempDir("into")}), /refusing a device or special file/);
});

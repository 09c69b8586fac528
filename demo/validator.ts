// A small validator-like workload for trying captures: each block it hashes a batch of
// transactions (on-CPU), logs a line to stdout (write() calls, like a validator's logs),
// appends the block to a store file (write()), and fsyncs the store after each block or
// never, by flag — so a capture of the two modes gives opposite durability findings. With
// --stall-every S, every S seconds it spends --stall-s seconds catching up: hashing three
// times the transactions per block and appending large blocks (a compaction-like burst of
// writes), so a capture shows time structure: slow fsyncs, a block-I/O tail and a CPU
// phase in those seconds only.
//
//   demo-validator [--fsync | --no-fsync] [--blocks N] [--interval-ms N] [--store PATH]
//                  [--stall-every S] [--stall-s S]
import {createHash, randomBytes} from "node:crypto";
import {closeSync, fsyncSync, openSync, writeSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {parseArgs} from "node:util";

const {values} = parseArgs({
  options: {
    fsync: {type: "boolean", default: true},
    "no-fsync": {type: "boolean", default: false},
    blocks: {type: "string", default: "0"},
    "interval-ms": {type: "string", default: "20"},
    store: {type: "string", default: join(tmpdir(), `demo-validator-${process.pid}.store`)},
    "txs-per-block": {type: "string", default: "400"},
    "stall-every": {type: "string", default: "0"},
    "stall-s": {type: "string", default: "1"}
  }
});

const durable = values.fsync && !values["no-fsync"];
const blocks = Number(values.blocks); // 0: run until stopped
const interval = Number(values["interval-ms"]);
const txs = Number(values["txs-per-block"]);
const stallEvery = Number(values["stall-every"]) * 1000;
const stallFor = Number(values["stall-s"]) * 1000;
const started = Date.now();
/** Within a stall window: the last stall-s seconds of every stall-every seconds. */
const stalling = () => stallEvery > 0 && (Date.now() - started) % stallEvery >= stallEvery - stallFor;
// A stall block: 1 MB, so its fsync flushes large block I/Os (about 50 MB a stall second).
const STALL_BYTES = 1024 * 1024;
const store = openSync(values.store, "a");
let parent = Buffer.alloc(32);

function produceBlock(height: number): void {
  // Hash every transaction, then the block header: the CPU-heavy part of a validator.
  const catchingUp = stalling();
  const root = createHash("sha256");
  for (let i = 0; i < (catchingUp ? 3 * txs : txs); i++) root.update(createHash("sha256").update(randomBytes(256)).digest());
  const header = createHash("sha256").update(parent).update(root.digest()).update(String(height)).digest();
  const size = catchingUp ? STALL_BYTES : 4096;
  writeSync(store, Buffer.concat([header, Buffer.alloc(size - header.length, height % 256)]));
  if (durable) fsyncSync(store);
  parent = header;
  // Logging per block and per few transactions, as validators do on stdout.
  for (let i = 0; i < 8; i++) process.stdout.write(`height=${height} tx_batch=${i} hash=${header.toString("hex").slice(0, 16)}\n`);
  process.stdout.write(`committed block height=${height} txs=${txs} durable=${durable}\n`);
}

let height = 0;
const timer = setInterval(() => {
  produceBlock(++height);
  if (blocks > 0 && height >= blocks) stop();
}, interval);

function stop(): void {
  clearInterval(timer);
  closeSync(store);
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

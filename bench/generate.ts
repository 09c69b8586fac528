// Synthetic captures of a given size, shaped like real ones (the reference bundle's
// frames, maps and histograms), written streaming so a 1 GB input never sits in memory.
// Deterministic: the same size gives the same bytes, so runs compare.

import {createWriteStream} from "node:fs";

const FRAMES = [
  "std::sys::thread::unix::Thread::new::thread_start",
  "core::ops::function::FnOnce::call_once{{vtable.shim}}",
  "tokio::runtime::task::raw::poll",
  "qfc_node::consensus::verify_block",
  "blake3::portable::compress_in_place",
  "rocksdb::DBImpl::WriteImpl",
  "__GI___libc_write",
  "entry_SYSCALL_64_after_hwframe",
  "do_syscall_64",
  "ksys_write",
  "vfs_write",
  "ext4_file_write_iter"
];
const COMMS = ["qfc-node", "tokio-runtime-w", "rocksdb:low", "rocksdb:high", "grpc-worker"];

/** Frame `d` of stack `i`: a few hundred distinct names, so stacks repeat like real ones. */
const frame = (i: number, d: number) => `${FRAMES[(i * 7 + d * 3) % FRAMES.length]}_${(i >> d) % 40}`;
const depth = (i: number) => 6 + (i % 14);

type Chunk = (i: number) => string;

async function writeUntil(path: string, bytes: number, header: string, chunk: Chunk, footer = "", done = () => false): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  let buffer = header;
  for (let i = 0; written + buffer.length < bytes && !done(); i++) {
    buffer += chunk(i);
    if (buffer.length > 1 << 20) {
      written += buffer.length;
      if (!out.write(buffer)) await new Promise<void>((r) => out.once("drain", () => r()));
      buffer = "";
    }
  }
  buffer += footer;
  written += buffer.length;
  await new Promise<void>((resolve, reject) => out.end(buffer, () => resolve()).on("error", reject));
  return written;
}

/** `frame;frame;...;leaf count`, root first; `unique` caps distinct stacks (0: every line new). */
export function folded(path: string, bytes: number, unique = 0): Promise<number> {
  return writeUntil(path, bytes, "", (n) => {
    const i = unique ? n % unique : n;
    const frames = Array.from({length: depth(i)}, (_, d) => frame(i, d));
    if (unique) frames.push(`leaf_${i}`);
    return `${frames.join(";")} ${1 + (n % 97)}\n`;
  });
}

/** `perf script` samples: a header, frames leaf first, a blank line; 5,000 distinct stacks. */
export function perfScript(path: string, bytes: number): Promise<number> {
  return writeUntil(path, bytes, "", (n) => {
    const i = n % 5000;
    const comm = COMMS[i % COMMS.length];
    const frames = Array.from({length: depth(i)}, (_, d) => `\t    ${(0x7f0000 + i * 64 + d).toString(16)} ${frame(i, d)}+0x${(n % 255).toString(16)} (/usr/bin/qfc-node)\n`);
    return `${comm} ${1000 + (i % 7)}/${2000 + (i % 31)} [00${n % 2}] ${(1476 + n / 99).toFixed(6)}:   10101010 cpu-clock:ppp: \n${frames.reverse().join("")}\n`;
  });
}

/**
 * `perf script` with `samples` samples over `seconds`, short stacks (3–6 frames, 2,000
 * distinct) so a million samples stay a few hundred MB; every fifth second is twice as
 * busy, as a periodic phase would be.
 */
export function timedPerfScript(path: string, samples: number, seconds: number): Promise<number> {
  // Times rise evenly, with a doubled rate in every fifth second.
  const weight = (s: number) => (s % 5 === 4 ? 2 : 1);
  const total = Array.from({length: seconds}, (_, s) => weight(s)).reduce((a, b) => a + b, 0);
  const per = samples / total;
  const times: number[] = [];
  for (let s = 0; s < seconds; s++) {
    const n = Math.round(per * weight(s));
    for (let k = 0; k < n; k++) times.push(s + k / n);
  }
  let n = 0;
  return writeUntil(path, Infinity, "", () => {
    if (n >= times.length) return "";
    const i = n % 2000;
    const frames = Array.from({length: 3 + (i % 4)}, (_, d) => `\t    ${(0x7f0000 + i * 64 + d).toString(16)} ${frame(i, d)}+0x1 (/usr/bin/qfc-node)\n`);
    return `${COMMS[i % COMMS.length]} ${1000 + (i % 7)}/${2000 + (i % 31)} [00${n % 4}] ${(5000 + times[n++]).toFixed(6)}:   10101010 cpu-clock:ppp: \n${frames.reverse().join("")}\n`;
  }, "", () => n >= times.length);
}

/** bpftrace text: per-thread stacks as map keys, latency histograms and counters. */
export function bpftraceText(path: string, bytes: number): Promise<number> {
  return writeUntil(path, bytes, "Attaching 3 probes...\n\n\n", (n) => {
    if (n % 10 === 9) {
      const rows = Array.from({length: 8}, (_, b) => `[${2 ** b}, ${2 ** (b + 1)})${" ".repeat(12)}${(n * 31 + b * 17) % 5000} |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n`);
      return `@lat_us[${COMMS[n % COMMS.length]}-${n}]: \n${rows.join("")}\n`;
    }
    if (n % 10 === 8) return `@calls[${COMMS[n % COMMS.length]}, write-${n}]: ${n * 13}\n`;
    const frames = Array.from({length: depth(n)}, (_, d) => `        ${frame(n, d)}+${(d * 4) % 400}\n`);
    return `@ks[${100000 + n}]: \n${frames.join("")}`;
  });
}

// Progress of long commands on stderr (stdout stays the command's result): a bar updated
// in place on a terminal, a plain line every few seconds otherwise (CI logs), nothing with
// --quiet. cli-progress draws both; this module only says what to show.
import cliProgress from "cli-progress";
import {printable} from "./text.js";

export interface Progress {
  /** Work of `total` units (bytes unless said) begins; `what` names it. */
  start(what: string, total: number): void;
  /** Units done so far, and lines read where there are lines. */
  update(done: number, lines?: number): void;
  /** What is being worked on now (a file name). */
  label(what: string): void;
  stop(): void;
}

const quiet: Progress = {start() {}, update() {}, label() {}, stop() {}};

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

export function progress({silent = false, stream = process.stderr, unit = "MB"}: {silent?: boolean; stream?: NodeJS.WriteStream; unit?: "MB" | "items"} = {}): Progress {
  if (silent) return quiet;
  const bytes = unit === "MB";
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: bytes
        ? "{what} |{bar}| {percentage}% {done}/{size} MB · {lines} lines · {rate} MB/s · {eta_formatted} left"
        : "{what} |{bar}| {value}/{total} · {eta_formatted} left",
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 50,
      hideCursor: true,
      barsize: 24
    },
    cliProgress.Presets.shades_classic
  );
  let started = 0;
  let running = false;
  let payload = {what: "", done: "0.0", size: "0.0", lines: "0", rate: "0.0"};
  return {
    start(what, total) {
      started = performance.now();
      payload = {what: printable(what), done: "0.0", size: mb(total), lines: "0", rate: "0.0"};
      bar.start(total, 0, payload);
      running = true;
    },
    update(done, lines) {
      if (!running) return;
      const seconds = (performance.now() - started) / 1000;
      payload = {...payload, done: mb(done), lines: lines === undefined ? payload.lines : lines.toLocaleString("en-US"), rate: seconds > 0 ? mb(done / seconds) : "0.0"};
      bar.update(done, payload);
    },
    label(what) {
      payload = {...payload, what: printable(what)}; // file names come from captures: no raw controls
      if (running) bar.update(payload);
    },
    stop() {
      if (!running) return;
      running = false;
      bar.stop();
    }
  };
}

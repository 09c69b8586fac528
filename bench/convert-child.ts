// One conversion in a fresh process, so its peak memory (RSS, DuckDB included) is its own.
// Prints {ms, rssMB, lines} as JSON.
import {convertToParquet} from "../loaders/convert.js";

const [bundle, out] = process.argv.slice(2);
const start = performance.now();
const summary = await convertToParquet(bundle, out, {strict: false});
const ms = performance.now() - start;
const lines = summary.files.reduce((n, f) => n + f.lines, 0);
console.log(JSON.stringify({ms, rssMB: process.resourceUsage().maxRSS / 1024, lines}));

// The bundle's findings computed at build time by loaders/findings (the code the pages
// rerun in the browser), so the summary states them before DuckDB has loaded.
import {emitFindings} from "../../../loaders/site.js";

await emitFindings();

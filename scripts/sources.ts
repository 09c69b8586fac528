// The declared sources (loaders/sources.ts) brought in before a build or the dev server
// converts anything; shared by scripts/build.ts and scripts/dev.ts.
import {dirname} from "node:path";
import {type SourceOutcome, SourcesError, readSources, sourcesFile, syncSources} from "../loaders/sources.js";

/**
 * Syncs the sources file, if there is one, and hands the pages what happened
 * (BPFBOOK_SOURCES_REPORT). Returns the bundles that could not be brought in, id → why,
 * for the "Not built" list. A sources file that cannot be read ends the process, named.
 */
export async function bringSources(log: (line: string) => void): Promise<Record<string, string>> {
  let outcomes: SourceOutcome[] = [];
  try {
    const file = sourcesFile();
    if (file === null) return {};
    const sources = readSources(file);
    log(`bpfbook: ${sources.length} declared source(s) in ${file}`);
    outcomes = await syncSources(sources, {base: dirname(file), log: (line) => log(`bpfbook source ${line}`)});
  } catch (error) {
    if (!(error instanceof SourcesError)) throw error;
    console.error(`bpfbook: ${error.message}`);
    process.exit(1);
  }
  process.env.BPFBOOK_SOURCES_REPORT = JSON.stringify(outcomes);
  return Object.fromEntries(outcomes.filter((o) => o.action === "failed").map((o) => [o.id, `source ${o.from}: ${o.reason}`]));
}

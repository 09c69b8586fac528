// An analyst's own findings: every `.ts`/`.js` file in the findings folder (BPFBOOK_FINDINGS,
// default `findings/` at the project root) default-exports one finding with the contract
// of the built-in ones (FindingSpec: SQL over the evidence views, evaluate, headline,
// chart). Node imports them here (run under tsx, so TypeScript needs no build step);
// scripts/findings-build.ts bundles the same files for the pages.
import {existsSync, readdirSync, statSync} from "node:fs";
import {join, resolve} from "node:path";
import {pathToFileURL} from "node:url";
import {builtinFindings} from "./index.js";
import {withUserFindings} from "./registry.js";
import type {FindingSpec} from "./types.js";

/** Where the analyst's findings live. */
export const userFindingsDir = (): string => resolve(process.env.BPFBOOK_FINDINGS || "findings");

/** A finding file: TypeScript or JavaScript, not a declaration file, not hidden or `_`-prefixed (helpers, drafts). */
const FINDING_FILE = /^[^._][^/]*(?<!\.d)\.(?:ts|js|mjs)$/;

/** The finding files of `dir` in name order (the order their cards appear in); none when it does not exist. */
export function userFindingFiles(dir = userFindingsDir()): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((name) => FINDING_FILE.test(name))
    .sort()
    .map((name) => join(dir, name));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySpec = FindingSpec<string, any>;

/** Every finding a site runs: the built-in ones, then the folder's, checked; a file that does not load is named in the error. */
export async function loadFindings(dir = userFindingsDir()): Promise<AnySpec[]> {
  const modules: [unknown, string][] = [];
  for (const file of userFindingFiles(dir)) {
    let module: {default?: unknown};
    try {
      module = (await import(pathToFileURL(file).href)) as {default?: unknown};
    } catch (error) {
      throw new Error(`${file}: cannot load this finding: ${(error as Error).message}`);
    }
    modules.push([module.default, file]);
  }
  return withUserFindings(builtinFindings, modules);
}

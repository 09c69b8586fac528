// The list of findings a site runs: bpfbook's own, then an analyst's from the findings
// folder (loaders/findings/user.ts loads them in Node; scripts/findings-build.ts bundles
// them for the browser). Both go through withUserFindings, so Node and pages agree on
// which findings exist and in what order.
import type {FindingSpec, Metrics} from "./types.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySpec = FindingSpec<string, any>;

/** A finding id: lower-case words joined by dots, dashes or underscores (e.g. `team.cache_misses`). */
const ID = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * The finding a module's default export declares, checked against the contract
 * (FindingSpec), or an error naming `file` and what is wrong. `headline` and `chart` may
 * be left out (no number, no chart).
 */
export function checkFindingSpec(value: unknown, file: string, taken: ReadonlySet<string>): AnySpec {
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why} (see docs/analysis.md, "Your own findings")`);
  };
  if (value === null || typeof value !== "object") fail("the default export must be a finding object");
  const spec = value as Partial<FindingSpec<string, Metrics>>;
  if (typeof spec.id !== "string" || !ID.test(spec.id)) fail(`id ${JSON.stringify(spec.id)} is not a finding id (lower-case words joined by . _ or -)`);
  if (taken.has(spec.id!)) fail(`id ${spec.id} is already taken by another finding`);
  if (typeof spec.title !== "string" || spec.title.trim() === "") fail("title must be a non-empty string");
  const queries = spec.queries as unknown;
  if (queries === null || typeof queries !== "object" || Object.keys(queries as object).length === 0) fail("queries must name at least one SQL query");
  for (const [name, sql] of Object.entries(queries as object)) if (typeof sql !== "string" || sql.trim() === "") fail(`query ${name} must be SQL text`);
  if (typeof spec.evaluate !== "function") fail("evaluate(rows) must be a function");
  for (const name of ["headline", "chart"] as const) if (spec[name] !== undefined && typeof spec[name] !== "function") fail(`${name} must be a function when given`);
  return {
    ...(spec as AnySpec),
    headline: spec.headline ?? (() => null),
    chart: spec.chart ?? (() => null)
  };
}

/** The built-in findings followed by the analyst's, each checked; `modules` are [default export, file] pairs in file order. */
export function withUserFindings(builtin: readonly AnySpec[], modules: readonly (readonly [unknown, string])[]): AnySpec[] {
  const taken = new Set(builtin.map((f) => f.id));
  const out = [...builtin];
  for (const [value, file] of modules) {
    const spec = checkFindingSpec(value, file, taken);
    taken.add(spec.id);
    out.push(spec);
  }
  return out;
}

// Every finding, and how to run them against any `query(sql)`.

import {latencyBursts} from "./bursts.js";
import {cpuHotspots} from "./cpu.js";
import {diskLatency} from "./disk.js";
import {durabilityFsync} from "./durability.js";
import {loggingWrites} from "./logging.js";
import {offcpuBreakdown} from "./offcpu.js";
import {cpuPhases} from "./phases.js";
import {wallclockThreads} from "./wallclock.js";
import {dataQuality} from "./quality.js";
import type {Finding, FindingSpec, Metrics, Query, QueryRow} from "./types.js";

export type {ChartSpec, Finding, FindingSpec, Query, QueryRow} from "./types.js";
export * as format from "./format.js";
export {intervalHeatmapSql, quantileBucket} from "./histogram.js";
export {sqlLiteral, sqlString} from "../sql.js";

// Each spec's metrics are typed; here they are only passed back to its own functions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySpec = FindingSpec<string, any>;

/** bpfbook's own findings, in the order pages show them. An analyst's (loaders/findings/user.ts) follow. */
export const builtinFindings: AnySpec[] = [durabilityFsync, diskLatency, latencyBursts, loggingWrites, offcpuBreakdown, wallclockThreads, cpuHotspots, cpuPhases, dataQuality];
export {CPU_CATEGORIES, cpuProfile} from "./cpu.js";
export {OFFCPU_CLASSES, OFFCPU_RULES, TRACING_FRAME, classifyStack, offcpuFlameStacks, withoutTracing} from "./offcpu.js";
export {LOCAL_NVME_MAX_US, NETWORK_MIN_US} from "./disk.js";
export * from "./flame-tree.js";
export * from "./timeline.js";
export {FRAME_NAMES, frameNamer, framesMatching, nameFrames} from "./frames.js";
export {MIN_SAMPLES, sharesDiffer, wilson} from "./interval.js";
export {checkFindingSpec, withUserFindings} from "./registry.js";
export {type FindingChange, findingChanges} from "./changes.js";
export {createViewStatements, emptyTableStatements, viewDefinitions} from "../evidence/views.js";

/**
 * Runs one finding. A finding that throws (a query the tables cannot answer, a bug in an
 * analyst's evaluate) does not take the others down: it says it cannot tell, and why.
 */
export async function runFinding<Q extends string, M extends Metrics>(spec: FindingSpec<Q, M>, query: Query): Promise<Finding> {
  const names = Object.keys(spec.queries) as Q[];
  try {
    const results = await Promise.all(names.map((name) => query(spec.queries[name])));
    const rows = Object.fromEntries(names.map((name, i) => [name, results[i]])) as Record<Q, QueryRow[]>;
    const evaluation = spec.evaluate(rows);
    return {
      id: spec.id,
      title: spec.title,
      ...evaluation,
      conclusive: evaluation.conclusive ?? true,
      headline: spec.headline(evaluation.metrics),
      chart: spec.chart(rows, evaluation.metrics),
      sql: spec.queries
    };
  } catch (error) {
    const reason = (error as Error)?.message ?? String(error);
    return {
      id: spec.id,
      title: spec.title,
      severity: "info",
      conclusive: false,
      verdict: "cannot tell: the finding failed",
      metrics: {error: reason},
      narrative: `This finding could not be computed: ${reason}`,
      headline: null,
      chart: null,
      sql: spec.queries
    };
  }
}

/** Runs every finding given (default: the built-in ones) in order. */
export async function runFindings(query: Query, specs: readonly AnySpec[] = builtinFindings): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const spec of specs) out.push(await runFinding(spec, query));
  return out;
}

/** A built-in finding by id, for the pages that draw one. */
export function findingSpec(id: string): AnySpec {
  const spec = builtinFindings.find((f) => f.id === id);
  if (!spec) throw new Error(`unknown finding ${id}`);
  return spec;
}

// Types of the browser bundle of loaders/findings (see scripts/findings-build.ts).
export * from "../../loaders/findings/index.js";
import type {FindingSpec} from "../../loaders/findings/index.js";
/** The built-in findings, then the analyst's (BPFBOOK_FINDINGS). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export declare const findings: FindingSpec<string, any>[];

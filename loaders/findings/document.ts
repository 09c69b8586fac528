// findings.json: the findings of one bundle as written by the build and printed by
// `bpfbook findings`, described by docs/findings.schema.json. `version` changes when a
// change to this shape would break a reader.
import type {Finding} from "./types.js";

export const FINDINGS_VERSION = 1;

export interface FindingsDocument {
  version: typeof FINDINGS_VERSION;
  bundle: string;
  findings: Finding[];
}

export const findingsDocument = (bundle: string, findings: Finding[]): FindingsDocument => ({version: FINDINGS_VERSION, bundle, findings});

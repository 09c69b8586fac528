// dist/captures/<bundle-id>/findings.json: the findings of each bundle, computed in Node by
// loaders/findings (the code the pages run in the browser).
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {capturesDir, siteBundles} from "../loaders/bundle.js";
import {tablesFor} from "../loaders/cache.js";
import {findingsDocument} from "../loaders/findings/document.js";
import {findingsForTables} from "../loaders/findings/node.js";

export async function writeFindingsJson(dist: string, kept: string[] = []): Promise<void> {
  const captures = capturesDir();
  for (const id of siteBundles(captures)) {
    if (kept.includes(id)) continue;
    const findings = await findingsForTables(await tablesFor(join(captures, id)));
    mkdirSync(join(dist, "captures", id), {recursive: true});
    writeFileSync(join(dist, "captures", id, "findings.json"), JSON.stringify(findingsDocument(id, findings), null, 2) + "\n");
  }
}

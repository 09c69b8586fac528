// Framework renders the site's pages. Past SIDEBAR_BUNDLES bundles every bundle's pages are
// the same but for the bundle's id and files, so Framework renders them once, for a
// template bundle, and each bundle's are filled in from it (scripts/page-template.ts);
// BPFBOOK_PAGE_TEMPLATE=0 has Framework render every bundle's pages instead.
import {spawn} from "node:child_process";
import {SIDEBAR_BUNDLES} from "../loaders/bundle.js";
import {fillPages, prepareTemplate, removeTemplate, templateId} from "./page-template.js";

/** Whether a site of `bundles` bundles has its bundle pages filled from a template. */
const filledFromTemplate = (bundles: number) => bundles > SIDEBAR_BUNDLES && process.env.BPFBOOK_PAGE_TEMPLATE !== "0";

function observableBuild(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("observable", ["build"], {stdio: "inherit", env: {...process.env, ...env}});
    child.on("error", () => resolve(1));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Renders the site into `dist`: every bundle's pages, or those of `render` (the others are
 * kept from the last build by the caller). Returns Framework's exit status (0: built).
 */
export async function buildPages(dist: string, render: string[] | null, allBundles: string[], {quiet = false} = {}): Promise<number> {
  const bundles = render ?? allBundles;
  if (!filledFromTemplate(allBundles.length) || bundles.length === 0) {
    if (!quiet) console.error(`bpfbook build: Framework renders ${bundles.length} bundle(s)' pages`);
    return observableBuild(render ? {BPFBOOK_RENDER: JSON.stringify(render)} : {});
  }
  const template = templateId(allBundles);
  if (!quiet) console.error(`bpfbook build: ${bundles.length} bundle(s)' pages filled from one template Framework renders`);
  prepareTemplate(template, bundles[0]);
  try {
    const status = await observableBuild({BPFBOOK_RENDER: JSON.stringify([template])});
    if (status === 0) fillPages(template, bundles, dist);
    return status;
  } catch (error) {
    console.error(`bpfbook build: ${(error as Error).message}`);
    return 1;
  } finally {
    removeTemplate(template, dist);
  }
}

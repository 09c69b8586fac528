// What the build did with each declared source (scripts/sources.ts): fetched, unchanged,
// kept (with why and from when) or failed. Empty without a sources file.
import {emitSiteOutput} from "../loaders/site.js";

await emitSiteOutput("sources.json");

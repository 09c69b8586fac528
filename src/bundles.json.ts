// The list of bundles for the home page: id, target, host, files and problem lines, and
// each bundle's headline findings (loaders/site.ts).
import {emitSiteOutput} from "../loaders/site.js";

await emitSiteOutput("bundles.json");

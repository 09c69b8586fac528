// Bundles the build left out, with why (scripts/build.ts found them broken).
import {emitSiteOutput} from "../loaders/site.js";

await emitSiteOutput("failed.json");

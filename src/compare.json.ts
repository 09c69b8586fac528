// Everything the compare page needs about every bundle: its findings, its block-I/O
// latency buckets and its on-CPU stacks (the heaviest 20,000), computed by loaders/.
import {emitSiteOutput} from "../loaders/site.js";

await emitSiteOutput("compare.json");

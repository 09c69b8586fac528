// What the build did with each declared source (scripts/sources.ts): fetched, unchanged,
// kept (with why and from when) or failed. Empty without a sources file.
import {sourceReport} from "../loaders/sources.js";

process.stdout.write(JSON.stringify(sourceReport()));

// Bundles the build left out, with why (scripts/build.ts found them broken).
import {failedBundles} from "../loaders/bundle.js";

process.stdout.write(JSON.stringify(Object.entries(failedBundles()).map(([id, reason]) => ({id, reason}))));

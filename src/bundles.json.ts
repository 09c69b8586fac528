// The list of bundles for the home page: id, target, host, files and problem lines.
import {bundleSummaries} from "../loaders/site.js";

process.stdout.write(JSON.stringify(await bundleSummaries()));

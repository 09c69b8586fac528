// The findings library (loaders/findings) is TypeScript shared with Node; pages load it
// as one browser module, bundled here into src/components/findings.generated.js.
// (scripts/dev.ts does the same in watch mode.)
import {build} from "esbuild";
import {findingsBuildOptions} from "./findings-build.js";

await build(findingsBuildOptions("scripts/bundle-findings.ts"));

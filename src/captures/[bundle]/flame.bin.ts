// The flame graph's call tree for cpu.hotspots' stacks, merged at build time (binary; see loaders/findings/flame-tree.ts).
import {emitFlameTree} from "../../../loaders/site.js";

await emitFlameTree();

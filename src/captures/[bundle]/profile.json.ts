// The on-CPU stacks the flame graph draws, from cpu.hotspots' own query, compactly encoded.
import {emitProfile} from "../../../loaders/site.js";

await emitProfile();

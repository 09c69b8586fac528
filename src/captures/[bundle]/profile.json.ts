// The on-CPU stacks from cpu.hotspots' own query, compactly encoded: the categories and top frames (the flame graph reads flame.bin).
import {emitProfile} from "../../../loaders/site.js";

await emitProfile();

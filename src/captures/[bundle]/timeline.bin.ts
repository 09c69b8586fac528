// Every timed on-CPU sample as a time and a stack (binary; see loaders/findings/timeline.ts): the sub-second heat map and the flame graph of a time range.
import {emitTimeline} from "../../../loaders/site.js";

await emitTimeline();

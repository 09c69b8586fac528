// The frames table of one bundle (see docs/tables.md), converted once per bundle content.
import {emitTable} from "../../../loaders/site.js";

await emitTable("frames");

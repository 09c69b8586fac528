// The samples table of one bundle (see docs/tables.md): every timed on-CPU sample, converted once per bundle content.
import {emitTable} from "../../../loaders/site.js";

await emitTable("samples");

// docs/findings.schema.json as a validator (ajv, JSON Schema 2020-12), for the tests.
import {readFileSync} from "node:fs";
import {Ajv2020} from "ajv/dist/2020.js";

const schema = JSON.parse(readFileSync(new URL("../docs/findings.schema.json", import.meta.url), "utf8"));
const validator = new Ajv2020({allErrors: true, strict: true, allowUnionTypes: true}).compile(schema);

/** Every way `document` breaks the schema, as `path: message` lines; empty when it is valid. */
export function schemaErrors(document: unknown): string[] {
  return validator(document) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message}`);
}

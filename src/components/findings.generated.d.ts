// Types of the browser bundle of loaders/findings (see scripts/bundle-findings.ts).
export * from "../../loaders/findings/index.js";

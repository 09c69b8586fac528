#!/usr/bin/env node
// The `bpfbook` command (package.json "bin"): runs the TypeScript command line
// (loaders/cli.ts) in this process through tsx, a dependency, so `npx bpfbook …` works
// from a clone after `npm ci` and from an installed package.
import {register} from "tsx/esm/api";

register();
await import("../loaders/cli.ts");

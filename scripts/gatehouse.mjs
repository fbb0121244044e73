// `npm run gatehouse -- <command>`: the operations CLI (cli/index.ts), bundled and run like the
// server (scripts/bundle.mjs). Arguments pass through as they are.
import { bundleAndRun } from "./bundle.mjs";

await bundleAndRun("cli/index.ts", "cli");

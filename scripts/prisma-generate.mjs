// Generates the Prisma client into build/generated/prisma (see prisma/schema.prisma).
// The Prisma CLI downloads a native schema engine at start-up even though `generate` never uses
// it (the generator is WASM). Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing executable
// skips that download, so `npm install` works on machines that reach only the npm registry.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const result = spawnSync(process.execPath, [cli, "generate", "--no-hints"], { stdio: "inherit", env });
process.exit(result.status ?? 1);

import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [
      // The source, not the next.config.mjs that server.ts compiles from it at each start (which
      // would shadow it with whatever the last start compiled).
      { find: /^@\/next\.config$/, replacement: fileURLToPath(new URL("./next.config.ts", import.meta.url)) },
      { find: "@", replacement: fileURLToPath(new URL("./", import.meta.url)) },
      // `server-only` throws outside a React Server bundle; tests import server modules directly.
      { find: "server-only", replacement: fileURLToPath(new URL("./test/server-only-stub.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", "compat/**", ".next/**", "build/**"],
    environment: "node",
    // Migrates one template database per engine; each test database is a copy of it.
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Tests wait on PostgreSQL, Redis and child processes as much as they compute: one worker more
    // than the cores keeps a small machine's cores busy (2 cores: 278 s instead of 349 s).
    maxWorkers: Math.max(3, availableParallelism()),
    // next-auth's ESM imports `next/server` without an extension, which Node's own resolver
    // refuses (next has no exports map); processed by Vite, the import resolves.
    server: { deps: { inline: ["next-auth"] } },
  },
});

import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const ROOT = fileURLToPath(new URL("./", import.meta.url));
const EXCLUDE = ["node_modules/**", "e2e/**", "compat/**", ".next/**", "build/**"];

/** Every test file of the suite (`include`/`exclude` below), relative to the root. */
function testFiles(dir = ""): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name.startsWith(".") || ["node_modules", "e2e", "compat", "build"].includes(entry.name) ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

// Most of the suite shares its modules between the files one worker runs (`isolate: false`):
// importing Next, Prisma, Auth.js and the gateway again for each of 141 files was 197 s of a
// 392 s run (two cores, loaded by other work). Sharing is safe only for a file that leaves the
// process as it found it, so a file runs isolated, as before, when it replaces modules (vi.mock
// and the like: its mocks would meet modules another file imported first) or changes
// process-wide state that another file could read: the environment, or the process's database,
// configuration, Redis clients, spend store, rate limiter, logger or shutdown hooks (all kept on
// globalThis, lib/server/process-singleton.ts). Found by what the file calls, so a new file that
// does any of it is isolated without being listed (34 of 141 files today). Measured on the same
// loaded machine: the whole suite's CPU time (user+sys) fell from 9.5 to 7.5 min (wall 392 s to
// 352 s), the Node 24 pass's from 4.8 to 4.0 min; both pass with the files shuffled.
const ISOLATES =
  /\bvi\.(mock|doMock|unmock|doUnmock|resetModules|stubEnv|stubGlobal)\(|process\.env|\b(setUpGateway|setDatabase|resetConfig|setSpendStore|setKeyRateLimiter|getRedis|closeRedis|registerShutdownHook|setLogger)\b/;
const ISOLATED = testFiles().filter((file) => ISOLATES.test(readFileSync(join(ROOT, file), "utf8")));

export default defineConfig({
  resolve: {
    alias: [
      // The source, not the next.config.mjs that server.ts compiles from it at each start (which
      // would shadow it with whatever the last start compiled).
      { find: /^@\/next\.config$/, replacement: fileURLToPath(new URL("./next.config.ts", import.meta.url)) },
      { find: "@", replacement: ROOT },
      // `server-only` throws outside a React Server bundle; tests import server modules directly.
      { find: "server-only", replacement: fileURLToPath(new URL("./test/server-only-stub.ts", import.meta.url)) },
    ],
  },
  test: {
    environment: "node",
    // Migrates one template database per engine; each test database is a copy of it. Both
    // projects run it; the templates are made once per run (see the file).
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
    projects: [
      { extends: true, test: { name: "shared modules", include: ["**/*.test.ts"], exclude: [...EXCLUDE, ...ISOLATED], isolate: false } },
      { extends: true, test: { name: "isolated", include: ISOLATED, exclude: EXCLUDE } },
    ],
  },
});

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";
import { releaseId, serverActionsKey } from "./scripts/release.mjs";

// The source of Next's configuration. `server.ts` compiles it to next.config.mjs (esbuild, at every
// start, gitignored) before Next loads it: Next prefers the .mjs, and a TypeScript config would be
// transpiled by Next's native SWC binding on every server start, keeping that binding (~25 MB
// resident) and its threads in the production server for nothing. Edit this file, not the .mjs.

const root = fileURLToPath(new URL(".", import.meta.url));
// Next's phase names (next/constants), written out so this file imports nothing but its own script.
const PHASE_DEVELOPMENT_SERVER = "phase-development-server";
const PHASE_PRODUCTION_BUILD = "phase-production-build";

// On every response Next serves. The same as STATIC_SECURITY_HEADERS in
// lib/server/security-headers.ts (this file is compiled alone and imports nothing of the app; a
// test holds the two equal). Pages get their Content-Security-Policy and HSTS from proxy.ts.
const SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

/**
 * Several instances behind one load balancer, each built on its own, must agree on the build:
 * - the build id and the deployment id are the release id (scripts/release.mjs: a hash of the
 *   sources and the lockfile), where Next's default is a random id per build. The client sends the
 *   deployment id with every navigation and action and does a full page load when an answer comes
 *   from another release (a rolling deploy), instead of mixing two builds in one page;
 * - the server actions' ids and encryption come from NEXT_SERVER_ACTIONS_ENCRYPTION_KEY, derived
 *   from GATEHOUSE_SECRET (server.ts sets it for the build and the server; here too, for a build
 *   run by hand with GATEHOUSE_SECRET in the environment). The server then takes it from the
 *   environment or, without one, from the build's own manifest.
 * The running server takes the id its build was made with, so it never announces another.
 */
function releaseFor(phase: string): string | undefined {
  if (phase === PHASE_DEVELOPMENT_SERVER) return undefined;
  const built = join(root, ".next", "BUILD_ID");
  if (phase !== PHASE_PRODUCTION_BUILD && existsSync(built)) return readFileSync(built, "utf8").trim();
  return releaseId(root);
}

export default function config(phase: string): NextConfig {
  if (phase === PHASE_PRODUCTION_BUILD && !process.env.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY && process.env.GATEHOUSE_SECRET) {
    process.env.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY = serverActionsKey(process.env.GATEHOUSE_SECRET);
  }
  const release = releaseFor(phase);
  return {
    // PGlite loads its WASM and data files from its own package directory at run time; bundling it
    // breaks those paths (every query fails with ENOENT on pglite.data), so Node must require it.
    serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pino"],
    poweredByHeader: false,
    headers: async () => [{ source: "/:path*", headers: SECURITY_HEADERS }],
    // `npm test` type-checks the whole project (tests and scripts included) with tsc; the build
    // that `npm start` runs on a fresh clone need not repeat it.
    typescript: { ignoreBuildErrors: true },
    reactStrictMode: true,
    // Turbopack writes its cache after every build (12–40 s here) so that the next build of the
    // checkout reuses it. A CI run builds each fresh clone once and never reads it back.
    ...(process.env.CI ? { experimental: { turbopackFileSystemCacheForBuild: false } } : {}),
    ...(release ? { generateBuildId: async () => release, deploymentId: release } : {}),
  };
}

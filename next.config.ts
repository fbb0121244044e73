import type { NextConfig } from "next";

// The source of Next's configuration. `server.ts` compiles it to next.config.mjs (esbuild, at every
// start, gitignored) before Next loads it: Next prefers the .mjs, and a TypeScript config would be
// transpiled by Next's native SWC binding on every server start, keeping that binding (~25 MB
// resident) and its threads in the production server for nothing. Edit this file, not the .mjs.

const nextConfig: NextConfig = {
  // PGlite loads its WASM and data files from its own package directory at run time; bundling it
  // breaks those paths (every query fails with ENOENT on pglite.data), so Node must require it.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pino"],
  poweredByHeader: false,
  // `npm test` type-checks the whole project (tests and scripts included) with tsc; the build
  // that `npm start` runs on a fresh clone need not repeat it.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
};

export default nextConfig;

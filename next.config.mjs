// Plain JavaScript rather than next.config.ts: Next transpiles a TypeScript config with its native
// SWC binding on every server start, which keeps that binding (~25 MB resident) and its threads
// loaded in the production server for nothing.

/** @type {import("next").NextConfig} */
const nextConfig = {
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

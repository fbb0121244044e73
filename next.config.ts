import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite loads its WASM and data files from its own package directory at run time; bundling it
  // breaks those paths (every query fails with ENOENT on pglite.data), so Node must require it.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pino"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;

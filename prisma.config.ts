import { defineConfig } from "prisma/config";

// The Prisma CLI is used here only to generate the client; migrations are created and applied by
// the project's own scripts on the WASM schema engine (see lib/db/migrate.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});

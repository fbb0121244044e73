// The app's database handle. Migrations live in ./migrate (used by the server start-up and the
// CLI only, never bundled into the app).
export { closeDatabase, getDatabase, getDb, openDatabase, setDatabase, type Database, type Prisma, type SqlQuery } from "./client";
export type * from "./types";

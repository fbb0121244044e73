export { closeDatabase, getDatabase, getDb, openDatabase, setDatabase, type Database, type Prisma } from "./client";
export { applyMigrations } from "./migrate";

import "server-only";
import { getDatabase } from "@/lib/db";
import { usageWriterStats } from "@/lib/gateway/usage-writer";
import { isDraining } from "@/lib/server/shutdown";
import packageJson from "@/package.json";

export interface Health {
  status: "ok" | "degraded" | "draining";
  version: string;
  /**
   * The build this process runs: Next's build id, which next.config.ts makes the release id (the
   * same for every instance built from one tree). Null under `next dev`, which has no build.
   */
  release: string | null;
  database: { ok: boolean; kind: "pglite" | "postgres"; latencyMs?: number; error?: string };
  /** Usage records waiting to be written, and those the database refused and that were set aside. */
  metering: { queued: number; deadLettered: number };
}

/**
 * The running build's id. Next compiles its deployment id into the server bundles, and
 * next.config.ts sets the deployment id and the build id (`.next/BUILD_ID`) to the same release id,
 * so this is the build that was loaded, even when another build has since been written to disk.
 */
function runningRelease(): string | null {
  return process.env.NEXT_DEPLOYMENT_ID || null;
}

/** Reachability of what a request needs. Never includes connection strings or error details. */
export async function checkHealth(): Promise<Health> {
  const db = getDatabase();
  const started = performance.now();
  let database: Health["database"];
  try {
    await db.prisma.$queryRawUnsafe("SELECT 1");
    database = { ok: true, kind: db.kind, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch {
    database = { ok: false, kind: db.kind, error: "unreachable" };
  }
  const status = isDraining() ? "draining" : database.ok ? "ok" : "degraded";
  return { status, version: packageJson.version, release: runningRelease(), database, metering: usageWriterStats() };
}

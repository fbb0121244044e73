import "server-only";
import { getDatabase } from "@/lib/db";
import { getRedis } from "@/lib/redis";
import { isDraining } from "@/lib/server/shutdown";

export interface Readiness {
  ready: boolean;
  draining: boolean;
  database: { ok: boolean; kind: "pglite" | "postgres" };
  /** Absent when REDIS_URL is unset (nothing shared to wait for). */
  redis?: { ok: boolean };
}

const REDIS_PING_TIMEOUT_MS = 1_000;

/**
 * Whether this instance should get traffic: not draining, the database answers and, when REDIS_URL
 * is set, Redis does (money and rate limits fail closed without it). A balancer's readiness check;
 * /api/health stays the liveness one. Never includes connection strings or error details.
 */
export async function checkReady(): Promise<Readiness> {
  const db = getDatabase();
  const redis = getRedis();
  const [database, redisOk] = await Promise.all([
    db.prisma.$queryRawUnsafe("SELECT 1").then(
      () => true,
      () => false,
    ),
    redis
      ? Promise.race([
          redis.ping().then(
            (answer) => answer === "PONG",
            () => false,
          ),
          new Promise<boolean>((resolve) => setTimeout(resolve, REDIS_PING_TIMEOUT_MS, false).unref()),
        ])
      : Promise.resolve(undefined),
  ]);
  const draining = isDraining();
  return {
    ready: !draining && database && redisOk !== false,
    draining,
    database: { ok: database, kind: db.kind },
    ...(redisOk === undefined ? {} : { redis: { ok: redisOk } }),
  };
}

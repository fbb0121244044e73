import { afterEach, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/health/route";
import { setDatabase, type Database } from "@/lib/db";

// The database is a stand-in that answers (or not) `SELECT 1`; what is checked is what the
// instance says of itself.
function database(answers: boolean): Database {
  const query = () => (answers ? Promise.resolve([{ "?column?": 1 }]) : Promise.reject(new Error("connect ECONNREFUSED 10.0.0.5:5432")));
  return { kind: "postgres", prisma: { $queryRawUnsafe: query } } as unknown as Database;
}

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await GET();
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("GET /api/health", () => {
  afterEach(() => {
    setDatabase(undefined);
    vi.unstubAllEnvs();
  });

  it("names the release of the running build, which every instance built from one tree shares", async () => {
    // Next compiles the deployment id into the server bundles; next.config.ts makes it the build id.
    vi.stubEnv("NEXT_DEPLOYMENT_ID", "0123456789abcdef");
    setDatabase(database(true));
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", version: expect.any(String), release: "0123456789abcdef", database: { ok: true, kind: "postgres" } });
  });

  it("says null under `next dev`, which has no build; and names the release while degraded too", async () => {
    vi.stubEnv("NEXT_DEPLOYMENT_ID", "");
    setDatabase(database(true));
    expect((await health()).body.release).toBeNull();

    vi.stubEnv("NEXT_DEPLOYMENT_ID", "fedcba9876543210");
    setDatabase(database(false));
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: "degraded", release: "fedcba9876543210", database: { ok: false, error: "unreachable" } });
    expect(JSON.stringify(body)).not.toContain("10.0.0.5");
  });
});

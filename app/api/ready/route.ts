import { checkReady } from "@/lib/health/check-ready";

export const dynamic = "force-dynamic";

// GET /api/ready – readiness: 200 when this instance should get traffic (database and, when set,
// Redis answer; not draining), else 503. /api/health is liveness.
export async function GET() {
  const readiness = await checkReady();
  return Response.json(readiness, { status: readiness.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}

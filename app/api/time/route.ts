export const dynamic = "force-dynamic";

// GET /api/time – the server clock, which the countdown uses to correct the browser's clock.
export function GET() {
  const now = Date.now();
  return Response.json({ now: new Date(now).toISOString(), epochMs: now }, { headers: { "cache-control": "no-store" } });
}

import "server-only";
import { safeEqual } from "@/lib/credentials";
import { gatewayMetrics } from "./gateway-metrics";

/**
 * GET /metrics: the Prometheus text format, for a scraper holding METRICS_TOKEN as a bearer token.
 * Without METRICS_TOKEN set the endpoint does not exist (404); a wrong or missing token is a 401
 * that says nothing about the metrics.
 */
export async function metricsResponse(request: Request, token: string | undefined): Promise<Response> {
  if (!token) return Response.json({ error: { code: "not_found", message: "Set METRICS_TOKEN to serve metrics here." } }, { status: 404 });
  const header = request.headers.get("authorization") ?? "";
  const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? "";
  if (!safeEqual(presented, token)) {
    return Response.json(
      { error: { code: "unauthorized", message: "Send METRICS_TOKEN as a bearer token." } },
      { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" } },
    );
  }
  const { registry } = gatewayMetrics();
  return new Response(await registry.metrics(), { status: 200, headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}

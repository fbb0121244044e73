import { getConfig } from "@/lib/config";
import { usageWriterStats } from "@/lib/gateway/usage-writer";
import { gatewayMetrics, metricsResponse } from "@/lib/metrics";

export const dynamic = "force-dynamic";

// GET /metrics – Prometheus metrics for a scraper with METRICS_TOKEN (lib/metrics).
export async function GET(request: Request) {
  gatewayMetrics().setMeteringSource(usageWriterStats);
  return metricsResponse(request, getConfig().metricsToken);
}

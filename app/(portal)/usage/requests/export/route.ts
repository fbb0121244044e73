import { requireUser } from "@/lib/auth";
import { microsToUsdText } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { csvRow } from "@/lib/text/csv";
import { eachCustomerRequest, requestLogQuerySchema } from "@/lib/requests";

export const dynamic = "force-dynamic";

const HEADER = [
  "time_utc",
  "request_id",
  "key",
  "order",
  "endpoint",
  "model",
  "stream",
  "status",
  "error_code",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cost_usd",
  "tokens_estimated",
  "latency_ms",
  "ttfb_ms",
];

// The buyer's request log as CSV, with the filters of the page. Streamed a batch at a time, so an
// export of any length holds one batch in memory; the account comes from the session only.
export async function GET(request: Request): Promise<Response> {
  const user = await requireUser();
  if (!user.customerId) return new Response("No request log: this account has no orders.\n", { status: 404, headers: { "content-type": "text/plain" } });
  const customerId = user.customerId;
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = { ...requestLogQuerySchema.parse(params), cursor: null };
  const rows = eachCustomerRequest(getDb(), { customerId, query });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow(HEADER)));
    },
    async pull(controller) {
      // One batch of lines per pull: the stream's backpressure paces the database reads.
      let lines = "";
      for (let i = 0; i < 500; i++) {
        const next = await rows.next();
        if (next.done) {
          if (lines) controller.enqueue(encoder.encode(lines));
          controller.close();
          return;
        }
        const r = next.value;
        lines += csvRow([
          r.createdAt.toISOString(),
          r.requestId,
          r.keyLastFour ? `…${r.keyLastFour}` : "",
          r.orderLabel,
          r.endpoint,
          r.model,
          r.stream,
          r.status,
          r.errorCode,
          r.inputTokens,
          r.outputTokens,
          r.cacheReadTokens,
          r.cacheWriteTokens,
          microsToUsdText(r.costMicros),
          r.estimated,
          r.latencyMs,
          r.ttfbMs,
        ]);
      }
      controller.enqueue(encoder.encode(lines));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="gatehouse-requests-${day}.csv"`,
      "cache-control": "no-store",
    },
  });
}

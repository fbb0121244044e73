import "server-only";
import { microsToUsdNumber } from "@/lib/billing/money";
import { utcMonth } from "@/lib/billing/period";
import { readKeyMonthUsage } from "@/lib/billing/spend";
import { getDb } from "@/lib/db";
import { runwayFromFacts } from "@/lib/usage";
import { authenticate } from "./authenticate";
import { allowedModels } from "./authorize-model";
import { gatewayCatalog } from "./catalog";
import { withGateway } from "./gateway-call";

// GET /v1/key — the key's own status, so a client or a person with curl can check it: the order
// window and what is left of it, the models it may call, its limits and this month's spend.
export function keyStatus(request: Request): Promise<Response> {
  return withGateway(request, { protocol: request.headers.has("anthropic-version") ? "anthropic" : "openai", endpoint: "/v1/key" }, async (call) => {
    const key = await authenticate(call);
    const db = getDb();
    const now = new Date();
    const month = utcMonth(now);
    const [usage, order, catalog] = await Promise.all([
      readKeyMonthUsage(db, key.id, month),
      db.order.findUniqueOrThrow({ where: { id: key.order.id }, select: { balanceMicros: true } }),
      gatewayCatalog(),
    ]);
    const spent = usage.costMicros;
    // What runs out first: reuses the order and month reads above; the recent spend is memoised briefly.
    const runway = await runwayFromFacts(
      db,
      {
        id: key.order.id,
        accessStart: key.order.accessStart,
        accessEnd: key.order.accessEnd,
        balanceMicros: order.balanceMicros,
        planCreditMicros: key.plan.creditMicros,
      },
      { id: key.id, monthlyLimitMicros: key.monthlyLimitMicros, spentThisMonthMicros: spent },
      now,
    );
    const body = {
      object: "api_key",
      status: key.status === "REPLACED" ? "replaced_in_overlap" : "active",
      valid_until: key.validUntil?.toISOString() ?? null,
      order: {
        id: key.order.marketplaceOrderId,
        plan: key.plan.name,
        access_start: key.order.accessStart.toISOString(),
        access_end: key.order.accessEnd.toISOString(),
        remaining_seconds: Math.max(0, Math.floor((key.order.accessEnd.getTime() - now.getTime()) / 1000)),
        balance_usd: key.plan.creditMicros > 0n ? microsToUsdNumber(order.balanceMicros) : null,
      },
      models: allowedModels(key).filter((m) => catalog.channels.has(m)),
      limits: {
        requests_per_minute: key.rpmLimit ?? key.plan.rpm,
        tokens_per_minute: key.tpmLimit ?? key.plan.tpm,
        monthly_spend_limit_usd: microsToUsdNumber(key.monthlyLimitMicros),
        ip_allowlist: key.ipAllowlist,
      },
      usage_this_month: {
        period_start: month.start.toISOString(),
        resets_at: month.end.toISOString(),
        requests: usage.requests,
        input_tokens: Number(usage.inputTokens),
        output_tokens: Number(usage.outputTokens),
        spend_usd: microsToUsdNumber(spent),
        remaining_usd: key.monthlyLimitMicros === null ? null : microsToUsdNumber(key.monthlyLimitMicros - spent > 0n ? key.monthlyLimitMicros - spent : 0n),
      },
      runway: {
        first: runway.first,
        ends_at: runway.endsAt.toISOString(),
        reached: runway.reached,
        sentence: runway.sentence,
        daily_spend_usd: microsToUsdNumber(runway.dailyRateMicros),
        credit_ends_at: runway.creditEndsAt?.toISOString() ?? null,
        key_limit_reached_at: runway.keyLimitReachedAt?.toISOString() ?? null,
      },
    };
    return Response.json(body, { headers: { "x-request-id": call.requestId, "cache-control": "no-store" } });
  });
}

import "server-only";
import { microsToUsdNumber } from "@/lib/billing/money";
import { periodNoun, utcMonth, utcPeriod } from "@/lib/billing/period";
import { readKeyPeriodSpend, readKeyPeriodUsage } from "@/lib/billing/spend";
import { getDb } from "@/lib/db";
import { runwayFromFacts } from "@/lib/usage";
import { servedModels } from "./authorize-model";
import { gatewayCatalog } from "./catalog";
import { withGateway } from "./gateway-call";
import { jsonAnswer } from "./json-answer";

// GET /v1/key — the key's own status, so a client or a person with curl can check it: the order
// window and what is left of it, the models it may call, its limits, this month's usage and, for a
// key with a spend limit, the spend in the limit's current UTC period (day, week or month).
export function keyStatus(request: Request): Promise<Response> {
  return withGateway(request, { protocol: request.headers.has("anthropic-version") ? "anthropic" : "openai", endpoint: "/v1/key" }, async (call, key) => {
    const db = getDb();
    const now = new Date();
    const month = utcMonth(now);
    const period = utcPeriod(key.spendLimitPeriod, now);
    const limit = key.spendLimitMicros;
    const [usage, order, catalog, periodSpend] = await Promise.all([
      readKeyPeriodUsage(db, key.id, month),
      db.order.findUniqueOrThrow({ where: { id: key.order.id }, select: { balanceMicros: true } }),
      gatewayCatalog(),
      // The month's figure serves a monthly limit; a day or week is read on its own.
      limit === null || period.kind === "MONTH" ? null : readKeyPeriodSpend(db, key.id, period),
    ]);
    const spentInPeriod = periodSpend ?? usage.costMicros;
    const served = servedModels(key, catalog);
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
      { id: key.id, spendLimitMicros: limit, spendLimitPeriod: key.spendLimitPeriod, spentInPeriodMicros: spentInPeriod },
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
      models: served.models,
      // The plan's aliases this key may send: each is served and billed as the model it names.
      model_aliases: Object.fromEntries(served.aliases),
      limits: {
        requests_per_minute: key.rpmLimit ?? key.plan.rpm,
        tokens_per_minute: key.tpmLimit ?? key.plan.tpm,
        spend_limit_usd: microsToUsdNumber(limit),
        spend_limit_period: limit === null ? null : periodNoun(period.kind),
        ip_allowlist: key.ipAllowlist,
      },
      // The key's own spend limit in its current UTC period; null without one.
      spend_limit:
        limit === null
          ? null
          : {
              limit_usd: microsToUsdNumber(limit),
              period: periodNoun(period.kind),
              period_start: period.start.toISOString(),
              resets_at: period.end.toISOString(),
              spend_usd: microsToUsdNumber(spentInPeriod),
              remaining_usd: microsToUsdNumber(limit - spentInPeriod > 0n ? limit - spentInPeriod : 0n),
            },
      usage_this_month: {
        period_start: month.start.toISOString(),
        resets_at: month.end.toISOString(),
        requests: usage.requests,
        input_tokens: Number(usage.inputTokens),
        output_tokens: Number(usage.outputTokens),
        spend_usd: microsToUsdNumber(usage.costMicros),
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
    return jsonAnswer(call, body);
  });
}

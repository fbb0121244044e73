import { addLedgerEntry } from "@/lib/billing/ledger";
import "server-only";
import { randomUUID } from "node:crypto";
import { addDays, addMinutes, startOfDay, subDays } from "date-fns";
import { computeCostMicros } from "@/lib/billing";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { createOrder } from "@/lib/orders";

export const DEMO_USERS = {
  buyer: "buyer@example.com",
  support: "support@example.com",
  admin: "admin@example.com",
} as const;

export const DEMO_ORDER_IDS = { active: "DEMO-1001", expired: "DEMO-0999" } as const;

/** A small deterministic generator, so every demo install shows the same history. */
function sequence(seed: number) {
  let state = seed;
  return (max: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % max;
  };
}

/**
 * Demo users, orders, tickets and a few days of requests, so every page has something to show.
 * Skips itself when the demo buyer's active order exists.
 */
export async function seedDemoData(db: Prisma, keys: SecretKeys, now = new Date()): Promise<boolean> {
  if (await db.order.findUnique({ where: { marketplaceOrderId: DEMO_ORDER_IDS.active }, select: { id: true } })) return false;

  for (const [email, role] of [
    [DEMO_USERS.support, "SUPPORT"],
    [DEMO_USERS.admin, "ADMIN"],
  ] as const) {
    await db.user.upsert({ where: { email }, create: { email, role, name: role === "ADMIN" ? "Ada Admin" : "Sam Support" }, update: {} });
  }

  const actor = { label: "system" } as const;
  const expired = await createOrder(db, {
    email: DEMO_USERS.buyer,
    planName: "Starter 30",
    marketplaceOrderId: DEMO_ORDER_IDS.expired,
    accessStart: subDays(now, 40),
    accessEnd: subDays(now, 10),
    source: "SEED",
    delivery: "handout",
    actor,
    keys,
    now: subDays(now, 40),
  });
  const active = await createOrder(db, {
    email: DEMO_USERS.buyer,
    planName: "Starter 30",
    marketplaceOrderId: DEMO_ORDER_IDS.active,
    accessStart: subDays(now, 3),
    accessEnd: addDays(subDays(now, 3), 30),
    source: "SEED",
    delivery: "reveal",
    actor,
    keys,
    now,
  });
  await db.user.update({ where: { id: active.userId }, data: { name: "Dana Buyer" } });
  await db.customer.update({ where: { id: active.customerId }, data: { name: "Dana's workshop" } });

  // Three days of traffic on the active key, with matching rollups and ledger debits.
  const prices = new Map((await db.modelPrice.findMany()).map((p) => [p.model, p]));
  const models = ["claude-sonnet-4-6", "claude-haiku-4-5", "gpt-4.1-mini", "gemini-2.5-flash"];
  const next = sequence(42);
  const rollups = new Map<string, { day: Date; model: string; requests: number; errors: number; input: number; output: number; cost: bigint }>();
  for (let i = 0; i < 36; i++) {
    const model = models[next(models.length)] ?? "gpt-4.1-mini";
    const price = prices.get(model);
    if (!price) continue;
    const createdAt = addMinutes(subDays(now, 3), 30 + i * 115 + next(60));
    if (createdAt >= now) break;
    const failed = i % 11 === 7;
    const inputTokens = failed ? 0 : 200 + next(3000);
    const outputTokens = failed ? 0 : 50 + next(900);
    const cost = failed ? 0n : computeCostMicros({ inputTokens, outputTokens }, price, active.plan.multiplierBps);
    const requestId = `req_demo_${randomUUID().replaceAll("-", "")}`;
    await db.requestLog.create({
      data: {
        requestId,
        apiKeyId: active.apiKey.id,
        customerId: active.customerId,
        orderId: active.order.id,
        endpoint: model.startsWith("claude") ? "/v1/messages" : model.startsWith("gemini") ? "/v1beta/models:generateContent" : "/v1/chat/completions",
        protocol: model.startsWith("claude") ? "anthropic" : model.startsWith("gemini") ? "gemini" : "openai",
        model,
        upstreamModel: model,
        stream: i % 3 !== 0,
        status: failed ? 429 : 200,
        errorCode: failed ? "rate_limit_exceeded" : null,
        inputTokens,
        outputTokens,
        costMicros: cost,
        latencyMs: failed ? 3 : 400 + next(4000),
        ttfbMs: failed ? null : 150 + next(600),
        clientIp: "203.0.113.7",
        createdAt,
      },
    });
    if (cost > 0n) await addLedgerEntry(db, { orderId: active.order.id, kind: "DEBIT", amountMicros: -cost, requestId, requests: 1, createdAt });
    const day = startOfDay(createdAt);
    const key = `${day.toISOString()}|${model}`;
    const r = rollups.get(key) ?? { day, model, requests: 0, errors: 0, input: 0, output: 0, cost: 0n };
    r.requests += 1;
    r.errors += failed ? 1 : 0;
    r.input += inputTokens;
    r.output += outputTokens;
    r.cost += cost;
    rollups.set(key, r);
  }
  for (const r of rollups.values()) {
    await db.usageDaily.create({
      data: {
        day: new Date(Date.UTC(r.day.getUTCFullYear(), r.day.getUTCMonth(), r.day.getUTCDate())),
        apiKeyId: active.apiKey.id,
        model: r.model,
        customerId: active.customerId,
        orderId: active.order.id,
        requests: r.requests,
        errors: r.errors,
        inputTokens: BigInt(r.input),
        outputTokens: BigInt(r.output),
        costMicros: r.cost,
      },
    });
  }
  await db.order.update({ where: { id: active.order.id }, data: { apiKeys: { updateMany: { where: {}, data: { lastUsedAt: subDays(now, 0) } } } } });

  const support = await db.user.findUniqueOrThrow({ where: { email: DEMO_USERS.support }, select: { id: true } });
  const resolved = await db.ticket.create({
    data: {
      customerId: expired.customerId,
      orderId: expired.order.id,
      openedById: expired.userId,
      subject: "Key stopped working after 30 days",
      category: "ERROR",
      status: "RESOLVED",
      assigneeId: support.id,
      createdAt: subDays(now, 9),
    },
  });
  await db.ticketMessage.createMany({
    data: [
      {
        ticketId: resolved.id,
        authorId: expired.userId,
        body: `My key for order ${DEMO_ORDER_IDS.expired} returns 401 since this morning.`,
        createdAt: subDays(now, 9),
      },
      {
        ticketId: resolved.id,
        authorId: support.id,
        body: "Checked: order window ended on schedule. Customer bought a new plan.",
        internal: true,
        createdAt: subDays(now, 9),
      },
      {
        ticketId: resolved.id,
        authorId: support.id,
        body: "Your access for that order ended at the end of its 30-day window, which is why the key is refused. A new order gives you a new key.",
        createdAt: subDays(now, 9),
      },
    ],
  });
  const open = await db.ticket.create({
    data: {
      customerId: active.customerId,
      orderId: active.order.id,
      openedById: active.userId,
      subject: "Which base URL does Claude Code need?",
      category: "OTHER",
      status: "OPEN",
      createdAt: subDays(now, 1),
    },
  });
  await db.ticketMessage.create({
    data: {
      ticketId: open.id,
      authorId: active.userId,
      body: "I set ANTHROPIC_BASE_URL but Claude Code still asks me to log in. What should it be?",
      createdAt: subDays(now, 1),
    },
  });
  return true;
}

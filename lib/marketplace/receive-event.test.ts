import { afterAll, beforeAll, expect, it } from "vitest";
import { deriveSecretKeys } from "@/lib/credentials";
import { seed } from "@/lib/seed";
import { TEST_SECRET } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { receiveMarketplaceEvent, replayWebhookEvent, listFailedWebhookEvents } from "./receive-event";
import { signMarketplaceBody } from "./signature";

const WEBHOOK_SECRET = "whsec-test-0123456789abcdefghijklmnopqrstuvwxyz";
const keys = deriveSecretKeys(TEST_SECRET);

describeEachEngine("marketplace webhook", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: TEST_SECRET }, { demo: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const deliver = (payload: unknown, options: { secret?: string; signature?: string | null; rawBody?: string; now?: Date } = {}) => {
    const rawBody = options.rawBody ?? JSON.stringify(payload);
    const now = options.now ?? new Date();
    const signature =
      options.signature === undefined ? signMarketplaceBody(options.secret ?? WEBHOOK_SECRET, rawBody, Math.floor(now.getTime() / 1000)) : options.signature;
    return receiveMarketplaceEvent(t.db.prisma, { rawBody, signature, secret: WEBHOOK_SECRET, keys, now });
  };
  const stored = () => t.db.prisma.webhookEvent.count();

  it("order.paid creates the buyer, order, credit and a revealable key; a replay is a duplicate", async () => {
    const start = new Date(Date.now() - 60_000);
    const end = new Date(Date.now() + 3 * 86_400_000);
    const event = {
      event: "order.paid",
      order_id: "MP-100",
      email: "Paid@Example.com",
      plan: "Pro 30",
      access_start: start.toISOString(),
      access_end: end.toISOString(),
    };
    const first = await deliver(event);
    expect(first).toMatchObject({ status: 200, body: { status: "applied", order_id: "MP-100" }, created: { email: "paid@example.com" } });
    const order = await t.db.prisma.order.findUniqueOrThrow({
      where: { marketplaceOrderId: "MP-100" },
      include: { apiKeys: { omit: { revealCiphertext: false } }, ledger: true, customer: { include: { users: true } } },
    });
    expect(order).toMatchObject({ source: "MARKETPLACE", state: "OPEN", accessStart: start, accessEnd: end });
    expect(order.customer.users[0]?.email).toBe("paid@example.com");
    expect(order.apiKeys).toHaveLength(1);
    expect(order.apiKeys[0]?.revealCiphertext).toEqual(expect.any(String));
    expect(order.apiKeys[0]?.handedOutAt).toBeNull();
    expect(order.ledger.map((l) => l.kind)).toEqual(order.balanceMicros > 0n ? ["PLAN_CREDIT"] : []);

    const again = await deliver(event);
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate" } });
    expect(again.created).toBeUndefined();
    expect(await t.db.prisma.order.count({ where: { marketplaceOrderId: "MP-100" } })).toBe(1);
    expect((await t.db.prisma.webhookEvent.findUniqueOrThrow({ where: { eventKey: "order.paid:MP-100" } })).status).toBe("APPLIED");
  });

  it("refuses forged, stale and malformed requests and stores nothing", async () => {
    const before = await stored();
    const event = { event: "order.paid", order_id: "MP-FORGED", email: "f@example.com", plan: "Pro 30" };
    expect(await deliver(event, { secret: "not-the-secret-0123456789abcdefghijkl" })).toMatchObject({
      status: 401,
      body: { error: { code: "invalid_signature" } },
    });
    expect(await deliver(event, { signature: null })).toMatchObject({ status: 401, body: { error: { code: "missing_signature" } } });
    const old = new Date(Date.now() - 10 * 60_000);
    const rawBody = JSON.stringify(event);
    expect(await deliver(event, { signature: signMarketplaceBody(WEBHOOK_SECRET, rawBody, Math.floor(old.getTime() / 1000)) })).toMatchObject({
      status: 401,
      body: { error: { code: "stale_signature" } },
    });
    expect(await deliver(null, { rawBody: "{not json" })).toMatchObject({ status: 400, body: { error: { code: "malformed_body" } } });
    expect(await deliver({ event: "order.shipped", order_id: "X" })).toMatchObject({ status: 400, body: { error: { code: "malformed_body" } } });
    expect(await deliver({ event: "order.paid", order_id: "MP-NOEMAIL", plan: "Pro 30" })).toMatchObject({ status: 400 });
    // Text PostgreSQL cannot store, in a known field or in one the schema does not know.
    const paid = { event: "order.paid", email: "n@example.com", plan: "Pro 30" };
    expect(await deliver({ ...paid, order_id: "MP-NUL\u0000" })).toMatchObject({ status: 400, body: { error: { code: "malformed_body" } } });
    expect(await deliver({ ...paid, order_id: "MP-BELL\u0007" })).toMatchObject({ status: 400, body: { error: { code: "malformed_body" } } });
    expect(await deliver({ ...paid, order_id: "MP-EXTRA", note: "x\u0000" })).toMatchObject({
      status: 400,
      body: { error: { code: "malformed_body", message: expect.stringContaining("body.note contains a NUL") } },
    });
    expect(await deliver({ ...paid, order_id: "MP-SURROGATE", note: "\ud800" })).toMatchObject({ status: 400, body: { error: { code: "malformed_body" } } });
    expect(await stored()).toBe(before);
    expect(await t.db.prisma.order.count({ where: { marketplaceOrderId: "MP-FORGED" } })).toBe(0);
  });

  it("stores an unappliable event as FAILED (422) and applies it on replay once the plan exists", async () => {
    const event = { event: "order.paid", order_id: "MP-200", email: "later@example.com", plan: "Team 90" };
    const answer = await deliver(event);
    expect(answer).toMatchObject({
      status: 422,
      body: { status: "failed", error: { code: "event_not_applied", message: expect.stringMatching(/Unknown plan "Team 90"/) } },
    });
    const failed = await listFailedWebhookEvents(t.db.prisma);
    const row = failed.find((e) => e.orderRef === "MP-200");
    expect(row).toMatchObject({ eventType: "order.paid", attempts: 1, reason: expect.stringMatching(/Unknown plan/) });
    // A redelivery is tried again and still fails.
    expect((await deliver(event)).status).toBe(422);

    await t.db.prisma.plan.create({ data: { name: "Team 90", models: ["gpt-4o-mini"], durationDays: 90, rpm: 60 } });
    const replayed = await replayWebhookEvent(t.db.prisma, row!.id, { keys });
    expect(replayed).toMatchObject({ status: 200, body: { status: "applied" }, created: { email: "later@example.com" } });
    expect(await t.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ status: "APPLIED", reason: null, attempts: 3 });
    expect(await t.db.prisma.order.count({ where: { marketplaceOrderId: "MP-200" } })).toBe(1);
    await expect(replayWebhookEvent(t.db.prisma, row!.id, { keys })).rejects.toThrow(/already applied/);
    expect((await deliver(event)).body).toMatchObject({ status: "duplicate" });
  });

  it("stores an inconsistent window and a refund of an unknown order as FAILED", async () => {
    const end = new Date(Date.now() + 86_400_000);
    const inconsistent = await deliver({
      event: "order.paid",
      order_id: "MP-300",
      email: "w@example.com",
      plan: "Pro 30",
      access_start: end.toISOString(),
      access_end: new Date(end.getTime() - 1000).toISOString(),
    });
    expect(inconsistent).toMatchObject({ status: 422, body: { error: { message: expect.stringMatching(/ends before it starts/) } } });
    const unknown = await deliver({ event: "order.refunded", order_id: "MP-NEVER" });
    expect(unknown).toMatchObject({ status: 422, body: { error: { message: expect.stringMatching(/No order with the id MP-NEVER/) } } });
    expect(await t.db.prisma.order.count({ where: { marketplaceOrderId: "MP-300" } })).toBe(0);
  });

  it("a refund ends access at once, zeroes the balance with a CREDIT_END entry and is audited", async () => {
    expect((await deliver({ event: "order.paid", order_id: "MP-400", email: "refund@example.com", plan: "Pro 30" })).status).toBe(200);
    const before = await t.db.prisma.order.findUniqueOrThrow({ where: { marketplaceOrderId: "MP-400" } });
    const answer = await deliver({ event: "order.refunded", order_id: "MP-400", email: "refund@example.com", plan: "Pro 30" });
    expect(answer).toMatchObject({ status: 200, body: { status: "applied" } });
    const after = await t.db.prisma.order.findUniqueOrThrow({ where: { id: before.id }, include: { ledger: { orderBy: { id: "asc" } } } });
    expect(after.state).toBe("REFUNDED");
    expect(after.endedAt).not.toBeNull();
    expect(after.balanceMicros).toBe(0n);
    if (before.balanceMicros > 0n) expect(after.ledger.at(-1)).toMatchObject({ kind: "CREDIT_END", amountMicros: -before.balanceMicros });
    expect(await t.db.prisma.auditLog.count({ where: { action: "order.refunded", targetId: before.id } })).toBe(1);
    // A later cancellation of the same order changes nothing more.
    expect((await deliver({ event: "order.cancelled", order_id: "MP-400" })).status).toBe(200);
    expect((await t.db.prisma.order.findUniqueOrThrow({ where: { id: before.id } })).state).toBe("REFUNDED");
    expect((await deliver({ event: "order.refunded", order_id: "MP-400" })).body).toMatchObject({ status: "duplicate" });
  });
  it("order.renewed lengthens the window and adds the credit, same key; the same renewal twice changes it once", async () => {
    expect((await deliver({ event: "order.paid", order_id: "MP-500", email: "renew@example.com", plan: "Pro 30" })).status).toBe(200);
    const before = await t.db.prisma.order.findUniqueOrThrow({ where: { marketplaceOrderId: "MP-500" }, include: { apiKeys: true } });
    const newEnd = new Date(before.accessEnd.getTime() + 30 * 86_400_000);
    const renewal = { event: "order.renewed", event_id: "evt-1", order_id: "MP-500", access_end: newEnd.toISOString() };
    expect(await deliver(renewal)).toMatchObject({ status: 200, body: { status: "applied", order_id: "MP-500" } });
    const after = await t.db.prisma.order.findUniqueOrThrow({ where: { id: before.id }, include: { apiKeys: true, ledger: { orderBy: { id: "asc" } } } });
    expect(after.accessEnd).toEqual(newEnd);
    expect(after.balanceMicros).toBe(before.balanceMicros * 2n);
    expect(after.ledger.at(-1)).toMatchObject({ kind: "PLAN_CREDIT", amountMicros: before.balanceMicros });
    // The same key, not revealed again and no new one to reveal.
    expect(after.apiKeys.map((k) => [k.id, k.status])).toEqual(before.apiKeys.map((k) => [k.id, k.status]));
    expect(await t.db.prisma.auditLog.count({ where: { action: "order.renewed", targetId: before.id } })).toBe(1);

    // Delivered again, or under the other name, it is the same renewal.
    expect((await deliver(renewal)).body).toMatchObject({ status: "duplicate" });
    expect((await deliver({ ...renewal, event: "order.extended" })).body).toMatchObject({ status: "duplicate" });
    expect((await t.db.prisma.order.findUniqueOrThrow({ where: { id: before.id } })).balanceMicros).toBe(after.balanceMicros);

    // Another renewal (another event id), by the alias, without an end: the plan's 30 days more.
    expect((await deliver({ event: "order.extended", event_id: "evt-2", order_id: "MP-500" })).status).toBe(200);
    const again = await t.db.prisma.order.findUniqueOrThrow({ where: { id: before.id } });
    expect(again.accessEnd).toEqual(new Date(newEnd.getTime() + 30 * 86_400_000));
    expect(await t.db.prisma.webhookEvent.count({ where: { orderRef: "MP-500", eventType: "order.renewed" } })).toBe(2);
  });

  it("a renewal without an id or end is malformed; one for an unknown or ended order is kept as FAILED and replayed with an audit entry", async () => {
    expect(await deliver({ event: "order.renewed", order_id: "MP-500" })).toMatchObject({ status: 400, body: { error: { code: "malformed_body" } } });
    const unknown = await deliver({ event: "order.renewed", event_id: "evt-9", order_id: "MP-600" });
    expect(unknown).toMatchObject({ status: 422, body: { error: { message: expect.stringMatching(/No order with the id MP-600/) } } });
    const row = (await listFailedWebhookEvents(t.db.prisma)).find((e) => e.orderRef === "MP-600");
    expect(row).toMatchObject({ eventType: "order.renewed", eventKey: "order.renewed:MP-600:evt-9" });

    // The order arrives later; an admin replays the renewal.
    expect((await deliver({ event: "order.paid", order_id: "MP-600", email: "late@example.com", plan: "Starter 30" })).status).toBe(200);
    const admin = await t.db.prisma.user.create({ data: { email: "replayer@example.com", role: "ADMIN" } });
    const replayed = await replayWebhookEvent(t.db.prisma, row!.id, { keys, actor: { userId: admin.id, ip: "192.0.2.1" } });
    expect(replayed).toMatchObject({ status: 200, body: { status: "applied" } });
    expect(await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "webhook_event.replayed", targetId: row!.id } })).toMatchObject({
      actorId: admin.id,
      ip: "192.0.2.1",
      details: { eventKey: "order.renewed:MP-600:evt-9", outcome: "applied" },
    });

    expect((await deliver({ event: "order.cancelled", order_id: "MP-600" })).status).toBe(200);
    const ended = await deliver({ event: "order.renewed", event_id: "evt-10", order_id: "MP-600" });
    expect(ended).toMatchObject({ status: 422, body: { error: { message: expect.stringMatching(/cancelled; it cannot be renewed/) } } });
    const failedAgain = await replayWebhookEvent(t.db.prisma, (ended.body as { event_id: string }).event_id, { keys, actor: { userId: admin.id } });
    expect(failedAgain.status).toBe(422);
    expect(
      await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "webhook_event.replayed", targetId: (ended.body as { event_id: string }).event_id } }),
    ).toMatchObject({ details: { outcome: "failed", reason: expect.stringMatching(/cannot be renewed/) } });
  });
});

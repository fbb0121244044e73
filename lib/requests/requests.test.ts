import { afterAll, beforeAll, expect, it } from "vitest";
import { createAccounts, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { cleanRequestId, findRequestId, getRequestDetail, listRequests, requestListQuerySchema } from "./index";

describeEachEngine("console request log", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  const base = new Date("2026-11-01T00:00:00Z");
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    const alice = await t.db.prisma.order.findUniqueOrThrow({ where: { id: a.alice.orderId } });
    const bob = await t.db.prisma.order.findUniqueOrThrow({ where: { id: a.bob.orderId } });
    const channel = await t.db.prisma.upstreamChannel.create({
      data: { name: "primary", provider: "OPENAI", baseUrl: "http://127.0.0.1:1", apiKeyCiphertext: "x", models: ["gpt-4.1-mini"] },
    });
    // 30 requests, two per minute stamp (ties broken by id), alternating accounts, models and outcomes.
    await t.db.prisma.requestLog.createMany({
      data: Array.from({ length: 30 }, (_, i) => {
        const who = i % 2 === 0 ? { order: alice, keyId: a.alice.apiKeyId } : { order: bob, keyId: a.bob.apiKeyId };
        const failed = i % 5 === 0;
        return {
          requestId: `req_test${engine}${String(i).padStart(3, "0")}`,
          apiKeyId: who.keyId,
          customerId: who.order.customerId,
          orderId: who.order.id,
          endpoint: "/v1/chat/completions",
          protocol: "openai",
          model: i % 3 === 0 ? "claude-sonnet-4-6" : "gpt-4.1-mini",
          upstreamModel: i % 3 === 0 ? "claude-sonnet-4-6" : "gpt-4.1-mini",
          status: failed ? 429 : 200,
          errorCode: failed ? "rate_limit_exceeded" : null,
          inputTokens: 10 + i,
          outputTokens: 20 + i,
          costMicros: BigInt(100 + i),
          latencyMs: 50 + i,
          ttfbMs: 10 + i,
          channelId: failed ? null : channel.id,
          clientIp: "198.51.100.7",
          createdAt: new Date(base.getTime() + Math.floor(i / 2) * 60_000),
        };
      }),
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const ids = async (params: Record<string, string>, take = 100) =>
    (await listRequests(t.db.prisma, { query: requestListQuerySchema.parse(params), take })).rows.map((r) => r.requestId);

  it("finds one request by the id a buyer pasted, surrounding whitespace and quotes included, and nothing else", async () => {
    const id = `req_test${engine}007`;
    expect(await findRequestId(t.db.prisma, `  ${id}\n`)).toBe(id);
    expect(await findRequestId(t.db.prisma, `"${id}"`)).toBe(id);
    expect(await findRequestId(t.db.prisma, id.slice(0, -1))).toBeNull();
    expect(await findRequestId(t.db.prisma, id.toUpperCase())).toBeNull();
    expect(await findRequestId(t.db.prisma, "   ")).toBeNull();
    expect(cleanRequestId("req a b")).toBeNull();

    const detail = await getRequestDetail(t.db.prisma, ` ${id} `);
    expect(detail).toMatchObject({
      requestId: id,
      status: 200,
      model: "gpt-4.1-mini",
      inputTokens: 17,
      outputTokens: 27,
      costMicros: 107n,
      latencyMs: 57,
      ttfbMs: 17,
      clientIp: "198.51.100.7",
      key: { id: a.bob.apiKeyId },
      order: { id: a.bob.orderId, marketplaceOrderId: "T-BOB-1" },
      channel: { name: "primary", provider: "OPENAI" },
    });
    expect(await getRequestDetail(t.db.prisma, "req_nothing")).toBeNull();
  });

  it("shows a request whose key, order and channel are gone with the ids it logged", async () => {
    const requestId = `req_orphan${engine}`;
    const gone = { apiKeyId: "key_gone", orderId: "ord_gone", channelId: "chn_gone" };
    await t.db.prisma.requestLog.create({
      data: {
        requestId,
        ...gone,
        customerId: null,
        endpoint: "/v1/messages",
        protocol: "anthropic",
        status: 200,
        latencyMs: 9,
        createdAt: new Date("2001-01-01T00:00:00Z"),
      },
    });
    try {
      expect(await getRequestDetail(t.db.prisma, requestId)).toMatchObject({
        apiKeyId: "key_gone",
        channelId: "chn_gone",
        key: null,
        order: null,
        customer: null,
        channel: null,
      });
      const page = await listRequests(t.db.prisma, { query: requestListQuerySchema.parse({ key: "key_gone" }), take: 10 });
      expect(page.rows).toEqual([expect.objectContaining({ requestId, apiKeyId: "key_gone", keyLastFour: null })]);
    } finally {
      await t.db.prisma.requestLog.delete({ where: { requestId } });
    }
  });

  it("pages through the whole log once, newest first and oldest first, ties broken by id", async () => {
    for (const dir of ["desc", "asc"] as const) {
      const whole = await ids({ dir });
      expect(whole).toHaveLength(30);
      const walked: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 100; i++) {
        const page = await listRequests(t.db.prisma, { query: { ...requestListQuerySchema.parse({ dir }), cursor }, take: 3 });
        walked.push(...page.rows.map((r) => r.requestId));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(walked, dir).toEqual(whole);
    }
    expect((await ids({}))[0]).toBe(`req_test${engine}029`);
  });

  it("filters by account email, key, model, status, error code and time, alone and together", async () => {
    expect(await ids({ email: " ALICE@example.com " })).toHaveLength(15);
    expect(await ids({ email: "nobody@example.com" })).toEqual([]);
    expect(await ids({ key: a.bob.apiKeyId })).toHaveLength(15);
    expect(await ids({ model: "claude-sonnet-4-6" })).toHaveLength(10);
    expect(await ids({ status: "error" })).toHaveLength(6);
    expect(await ids({ status: "success" })).toHaveLength(24);
    expect(await ids({ status: "429" })).toHaveLength(6);
    expect(await ids({ code: "rate_limit_exceeded" })).toHaveLength(6);
    // Minutes 5 to 9 (UTC), as a datetime-local field sends them: requests 10 to 19.
    expect(await ids({ from: "2026-11-01T00:05", to: "2026-11-01T00:10" })).toHaveLength(10);
    expect(await ids({ from: "2026-11-01T00:05", to: "2026-11-01T00:10", email: "alice@example.com", status: "error" })).toEqual([`req_test${engine}010`]);
    // A time filter and a cursor together still page through everything once.
    const page1 = await listRequests(t.db.prisma, { query: requestListQuerySchema.parse({ from: "2026-11-01T00:05", to: "2026-11-01T00:10" }), take: 4 });
    const page2 = await listRequests(t.db.prisma, {
      query: { ...requestListQuerySchema.parse({ from: "2026-11-01T00:05", to: "2026-11-01T00:10" }), cursor: page1.nextCursor },
      take: 100,
    });
    expect([...page1.rows, ...page2.rows].map((r) => r.requestId)).toEqual(await ids({ from: "2026-11-01T00:05", to: "2026-11-01T00:10" }));
  });

  it("ignores malformed filters rather than failing", () => {
    expect(requestListQuerySchema.parse({ status: "teapot", from: "yesterday", to: "2026-13-45T99:99", email: "x\u0000" })).toMatchObject({
      status: null,
      from: null,
      to: null,
      email: null,
    });
  });
});

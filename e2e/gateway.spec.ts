import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { computeCostMicros } from "@/lib/billing/compute-cost";
import { mockEmbedding, startMockUpstream, type Fault, type MockUpstream } from "@/lib/mock-upstream";
import { usdPerMToMicros } from "@/lib/billing/money";
import { SEED_PRICES } from "@/lib/seed/model-prices";
import { createKey, gatehouse, loggedRequest } from "./fixtures/cli";

// The /v1 gateway against the real server (npm start) with the official SDK clients. Most tests
// use the bundled mock behind the demo channels; the fault tests add channels of their own in
// front of two test-owned mocks, for models no other test uses, so they can break them at will.

const base = () => process.env.E2E_BASE_URL!;
const STARTER_MULTIPLIER_BPS = 12_000;

function price(model: string) {
  const p = SEED_PRICES.find((x) => x.model === model)!;
  return {
    inputMicrosPerM: usdPerMToMicros(p.input),
    outputMicrosPerM: usdPerMToMicros(p.output),
    cacheReadMicrosPerM: p.cacheRead === undefined ? null : usdPerMToMicros(p.cacheRead),
    cacheWriteMicrosPerM: p.cacheWrite === undefined ? null : usdPerMToMicros(p.cacheWrite),
  };
}

test.describe("gateway with the official SDKs", () => {
  let key: string;
  test.beforeAll(async () => {
    ({ key } = await createKey("Starter 30"));
  });

  test("OpenAI SDK: non-stream answer, usage and cost recorded exactly", async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });
    const { data, response } = await openai.chat.completions
      .create({ model: "gpt-4.1-mini", messages: [{ role: "user", content: "hello gateway" }], max_tokens: 8 })
      .withResponse();
    expect(data.choices[0]?.message.content).toMatch(/^Mock reply to: hello gateway/);
    expect(data.usage?.completion_tokens).toBe(8);
    const requestId = response.headers.get("x-request-id")!;
    expect(requestId).toMatch(/^req_[0-9a-f]{24}$/);
    const row = await loggedRequest(requestId);
    expect(row).toMatchObject({ status: 200, model: "gpt-4.1-mini", stream: false, inputTokens: data.usage!.prompt_tokens, outputTokens: 8, estimated: false });
    const expected = computeCostMicros({ inputTokens: row.inputTokens, outputTokens: 8 }, price("gpt-4.1-mini"), STARTER_MULTIPLIER_BPS);
    expect(BigInt(row.costMicros)).toBe(expected);
  });

  test("OpenAI SDK: stream arrives in order; the usage chunk the gateway asked for is not passed on but is billed", async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });
    const { data: stream, response } = await openai.chat.completions
      .create({ model: "gpt-4.1-mini", messages: [{ role: "user", content: "count words" }], max_tokens: 12, stream: true })
      .withResponse();
    const parts: string[] = [];
    let sawUsage = false;
    for await (const chunk of stream) {
      if (chunk.usage) sawUsage = true;
      parts.push(chunk.choices[0]?.delta.content ?? "");
    }
    expect(sawUsage).toBe(false);
    const text = parts.join("");
    expect(text).toMatch(/^Mock reply to: count words/);
    expect(text.split(/\s+/)).toHaveLength(12);
    const row = await loggedRequest(response.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 200, stream: true, outputTokens: 12, estimated: false });
    expect(BigInt(row.costMicros)).toBe(computeCostMicros({ inputTokens: row.inputTokens, outputTokens: 12 }, price("gpt-4.1-mini"), STARTER_MULTIPLIER_BPS));
  });

  test("OpenAI SDK: a client that asks for usage on a stream gets it", async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "usage please" }],
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.completion_tokens).toBe(4);
  });

  test("OpenAI SDK: responses.create and responses.stream pass through to the channel's /v1/responses, metered from response.completed", async () => {
    // The request id of the latest answer (a ResponseStream does not expose its HTTP response).
    let requestId = "";
    const recordingFetch: typeof fetch = async (url, init) => {
      const res = await fetch(url, init);
      requestId = res.headers.get("x-request-id") ?? "";
      return res;
    };
    const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0, fetch: recordingFetch });
    const { data, response } = await openai.responses
      .create({ model: "gpt-4.1-mini", instructions: "Be brief.", input: "hello responses", max_output_tokens: 9, store: false })
      .withResponse();
    expect(data).toMatchObject({ object: "response", status: "completed", model: "gpt-4.1-mini" });
    expect(data.output_text).toMatch(/^Mock reply to: hello responses/);
    const row = await loggedRequest(response.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 200, stream: false, inputTokens: data.usage!.input_tokens, outputTokens: 9, estimated: false });
    expect(BigInt(row.costMicros)).toBe(computeCostMicros({ inputTokens: row.inputTokens, outputTokens: 9 }, price("gpt-4.1-mini"), STARTER_MULTIPLIER_BPS));

    const stream = openai.responses.stream({ model: "gpt-4.1-mini", input: [{ role: "user", content: "stream responses" }], max_output_tokens: 5 });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas).toHaveLength(5);
    expect(final.output_text).toBe(deltas.join(""));
    const streamRow = await loggedRequest(requestId);
    expect(streamRow).toMatchObject({ stream: true, inputTokens: final.usage!.input_tokens, outputTokens: 5, estimated: false });
  });

  test("Responses API: previous_response_id and background are refused with a 400 that says to send the whole input", async ({ request }) => {
    for (const [field, value] of [
      ["previous_response_id", "resp_123"],
      ["background", true],
    ] as const) {
      const res = await request.post("/v1/responses", {
        headers: { authorization: `Bearer ${key}` },
        data: { model: "gpt-4.1-mini", input: "again", [field]: value },
      });
      expect(res.status()).toBe(400);
      const body = (await res.json()) as { error: { code: string; type: string; param: string; message: string } };
      expect(body.error).toMatchObject({ code: "invalid_request", type: "invalid_request_error", param: field });
      expect(body.error.message).toContain("send the whole conversation in `input`");
    }
  });

  test("Anthropic SDK: non-stream and stream, usage recorded", async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: base(), maxRetries: 0 });
    const { data: message, response } = await anthropic.messages
      .create({ model: "claude-sonnet-4-6", max_tokens: 6, messages: [{ role: "user", content: "hello claude" }] })
      .withResponse();
    expect(message.content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/^Mock reply to: hello claude/) });
    expect(response.headers.get("request-id")).toBe(response.headers.get("x-request-id"));
    const row = await loggedRequest(response.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 200, inputTokens: message.usage.input_tokens, outputTokens: 6, estimated: false });
    expect(BigInt(row.costMicros)).toBe(
      computeCostMicros({ inputTokens: row.inputTokens, outputTokens: 6 }, price("claude-sonnet-4-6"), STARTER_MULTIPLIER_BPS),
    );

    const stream = anthropic.messages.stream({ model: "claude-haiku-4-5", max_tokens: 9, messages: [{ role: "user", content: "stream it" }] });
    const deltas: string[] = [];
    stream.on("text", (t) => deltas.push(t));
    const { response: streamResponse } = await stream.withResponse();
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(3);
    expect(final.usage.output_tokens).toBe(9);
    const streamed = await loggedRequest(streamResponse.headers.get("x-request-id")!);
    expect(streamed).toMatchObject({ status: 200, stream: true, outputTokens: 9, inputTokens: final.usage.input_tokens, estimated: false });
  });

  test("Anthropic SDK: count_tokens is answered and not billed", async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: base(), maxRetries: 0 });
    const counted = await anthropic.messages.countTokens({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "one two three" }] });
    expect(counted.input_tokens).toBeGreaterThan(3);
  });

  test("models list: the key's scope, in each SDK's shape", async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual([
      "claude-haiku-4-5",
      "claude-haiku-4-5-20251001",
      "claude-sonnet-4-6",
      "gemini-2.5-flash",
      "gemini-embedding-001",
      "gpt-4.1-mini",
      "gpt-4o-mini",
      "gpt-5-mini",
      "text-embedding-3-small",
    ]);
    const anthropic = new Anthropic({ apiKey: key, baseURL: base(), maxRetries: 0 });
    const page = await anthropic.models.list();
    expect(page.data.map((m) => m.id)).toContain("claude-sonnet-4-6");
    expect(page.data[0]).toMatchObject({ type: "model" });
  });

  test("Gemini SDK: generateContent, streaming (alt=sse), countTokens and the model list, usage recorded", async () => {
    const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: base() } });
    const answer = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hello gemini", config: { maxOutputTokens: 7 } });
    expect(answer.text).toMatch(/^Mock reply to: hello gemini/);
    expect(answer.usageMetadata?.candidatesTokenCount).toBe(7);
    const parts: string[] = [];
    for await (const chunk of await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: "stream gemini", config: { maxOutputTokens: 6 } }))
      parts.push(chunk.text ?? "");
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.join("")).toMatch(/^Mock reply to: stream gemini/);
    const counted = await ai.models.countTokens({ model: "gemini-2.5-flash", contents: "one two three" });
    expect(counted.totalTokens).toBeGreaterThan(2);
    const listed: string[] = [];
    for await (const m of await ai.models.list()) listed.push(m.name ?? "");
    expect(listed).toContain("models/gemini-2.5-flash");
  });

  test("one model by id: OpenAI and Anthropic shapes; outside the key's scope it does not exist", async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });
    expect(await openai.models.retrieve("gpt-4.1-mini")).toMatchObject({ id: "gpt-4.1-mini", object: "model", owned_by: "openai" });
    const missing = await openai.models.retrieve("gpt-5").catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
    const anthropic = new Anthropic({ apiKey: key, baseURL: base(), maxRetries: 0 });
    expect(await anthropic.models.retrieve("claude-haiku-4-5")).toMatchObject({ type: "model", id: "claude-haiku-4-5" });
  });

  test("Gemini SDK on API version v1 (the SDK 3 default): generateContent, stream, countTokens, the model, usage recorded", async () => {
    const ai = new GoogleGenAI({ apiKey: key, apiVersion: "v1", httpOptions: { baseUrl: base() } });
    const answer = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hello v1", config: { maxOutputTokens: 5 } });
    expect(answer.text).toMatch(/^Mock reply to: hello v1/);
    const requestId = answer.sdkHttpResponse?.headers?.["x-request-id"];
    expect(requestId).toMatch(/^req_/);
    expect(await loggedRequest(requestId!)).toMatchObject({ status: 200, model: "gemini-2.5-flash", outputTokens: 5, estimated: false });
    const parts: string[] = [];
    for await (const chunk of await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: "stream v1", config: { maxOutputTokens: 6 } }))
      parts.push(chunk.text ?? "");
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.join("")).toMatch(/^Mock reply to: stream v1/);
    expect((await ai.models.countTokens({ model: "gemini-2.5-flash", contents: "one two three" })).totalTokens).toBeGreaterThan(2);
    expect(await ai.models.get({ model: "gemini-2.5-flash" })).toMatchObject({ name: "models/gemini-2.5-flash" });
    const listed: string[] = [];
    for await (const m of await ai.models.list()) listed.push(m.name ?? "");
    expect(listed).toContain("models/gemini-embedding-001");
  });

  test("embeddings: OpenAI SDK on an OpenAI and a Gemini embedding model, Gemini SDK natively; input tokens × price", async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });
    const input = ["one two three", "four five"];
    for (const model of ["text-embedding-3-small", "gemini-embedding-001"]) {
      // The SDK asks for base64 and decodes it; the translated answer must do the same.
      const { data, response } = await openai.embeddings.create({ model, input }).withResponse();
      expect(data.data.map((d) => d.index)).toEqual([0, 1]);
      expect(data.data[0]?.embedding).toEqual(mockEmbedding(model, "one two three"));
      expect(data.data[1]?.embedding).toEqual(mockEmbedding(model, "four five"));
      expect(data.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
      const row = await loggedRequest(response.headers.get("x-request-id")!);
      expect(row).toMatchObject({ status: 200, model, inputTokens: 5, outputTokens: 0, estimated: false });
      expect(BigInt(row.costMicros)).toBe(computeCostMicros({ inputTokens: 5, outputTokens: 0 }, price(model), STARTER_MULTIPLIER_BPS));
      expect(BigInt(row.costMicros)).toBeGreaterThan(0n);
    }
    const floats = await openai.embeddings.create({ model: "gemini-embedding-001", input: "six", dimensions: 4, encoding_format: "float" });
    expect(floats.data[0]?.embedding).toEqual(mockEmbedding("gemini-embedding-001", "six", 4));
    const refused = await openai.embeddings.create({ model: "claude-haiku-4-5", input: "no" }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);

    const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: base() } });
    const native = await ai.models.embedContent({ model: "gemini-embedding-001", contents: ["one two three", "four five"] });
    expect(native.embeddings?.map((e) => e.values)).toEqual(input.map((text) => mockEmbedding("gemini-embedding-001", text)));
    // Gemini's own methods reach an OpenAI embedding model too, on /v1 as on /v1beta.
    const res = await fetch(`${base()}/v1/models/text-embedding-3-small:embedContent`, {
      method: "POST",
      headers: { "x-goog-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ content: { parts: [{ text: "seven eight" }] } }),
    });
    expect(await res.json()).toEqual({ embedding: { values: mockEmbedding("text-embedding-3-small", "seven eight") } });
    expect(await loggedRequest(res.headers.get("x-request-id")!)).toMatchObject({ status: 200, inputTokens: 2, outputTokens: 0 });
  });

  test("Gemini ?key= and the JSON-array stream (no alt=sse) pass through and are metered", async () => {
    const res = await fetch(`${base()}/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=${encodeURIComponent(key)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "array mode" }] }], generationConfig: { maxOutputTokens: 5 } }),
    });
    expect(res.status).toBe(200);
    const items = JSON.parse(await res.text()) as { usageMetadata?: { candidatesTokenCount: number } }[];
    expect(items.at(-1)?.usageMetadata?.candidatesTokenCount).toBe(5);
    const row = await loggedRequest(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 200, stream: true, model: "gemini-2.5-flash", outputTokens: 5, estimated: false });
    const refused = await fetch(`${base()}/v1beta/models/gemini-2.5-pro:generateContent?key=${encodeURIComponent(key)}`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 403, status: "PERMISSION_DENIED" } });
  });

  test("GET /v1/key reports the window, scope, limits and this month's usage", async ({ request }) => {
    const res = await request.get(`${base()}/v1/key`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ object: "api_key", status: "active", order: { plan: "Starter 30" }, limits: { requests_per_minute: 60 } });
    expect(body.order.remaining_seconds).toBeGreaterThan(29 * 24 * 3600);
    expect(body.usage_this_month.requests).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(body)).not.toContain(key);
  });
});

test.describe("gateway errors: one code each, in the client's protocol shape, never echoing the key", () => {
  let key: string;
  test.beforeAll(async () => {
    ({ key } = await createKey("Starter 30"));
  });

  const latin1 = (s: string) => Buffer.from(s, "utf8").toString("latin1");
  const cases: { name: string; credential: () => string | null; model?: string; status: number; code: string }[] = [
    { name: "no key", credential: () => null, status: 401, code: "missing_api_key" },
    { name: "a space inside", credential: () => `${key.slice(0, 20)} ${key.slice(20)}`, status: 401, code: "api_key_whitespace" },
    { name: "a zero-width space", credential: () => latin1(`${key.slice(0, 20)}\u200b${key.slice(20)}`), status: 401, code: "api_key_invisible_characters" },
    { name: "the masked preview", credential: () => latin1(`sk-gate-…${key.slice(-4)}`), status: 401, code: "api_key_masked_preview" },
    { name: "an Anthropic key", credential: () => `sk-ant-api03-${"x".repeat(40)}`, status: 401, code: "api_key_other_provider" },
    { name: "a typo", credential: () => key.slice(0, 30) + (key[30] === "a" ? "b" : "a") + key.slice(31), status: 401, code: "invalid_api_key" },
    { name: "a model outside the plan", credential: () => key, model: "claude-opus-4-1", status: 403, code: "model_not_allowed" },
    { name: "an unknown model", credential: () => key, model: "no-such-model", status: 404, code: "model_not_found" },
  ];

  for (const c of cases) {
    test(`${c.name} → ${c.status} ${c.code}`, async ({ request }) => {
      const credential = c.credential();
      const openai = await request.post(`${base()}/v1/chat/completions`, {
        headers: credential === null ? {} : { authorization: `Bearer ${credential}` },
        data: { model: c.model ?? "gpt-4.1-mini", messages: [{ role: "user", content: "hi" }] },
      });
      expect(openai.status()).toBe(c.status);
      const o = await openai.json();
      expect(o.error).toMatchObject({ code: c.code, type: expect.any(String), message: expect.any(String) });
      expect(openai.headers()["x-request-id"]).toMatch(/^req_/);

      const anthropic = await request.post(`${base()}/v1/messages`, {
        headers: { ...(credential === null ? {} : { "x-api-key": credential }), "anthropic-version": "2023-06-01" },
        data: { model: c.model ?? "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] },
      });
      expect(anthropic.status()).toBe(c.status);
      const a = await anthropic.json();
      expect(a).toMatchObject({ type: "error", error: { type: expect.any(String), message: expect.any(String), code: c.code } });
      expect(anthropic.headers()["request-id"]).toBe(anthropic.headers()["x-request-id"]);
      for (const text of [JSON.stringify(o), JSON.stringify(a)]) expect(text).not.toContain(key);
      if (c.code === "model_not_allowed") expect(o.error.message).toContain("claude-sonnet-4-6");
    });
  }

  test("an order that has ended or not started is refused with its time", async ({ request }) => {
    const past = await createKey("Starter 30", ["--starts", new Date(Date.now() - 5 * 86_400_000).toISOString(), "--days", "1"]);
    const future = await createKey("Starter 30", ["--starts", new Date(Date.now() + 2 * 86_400_000).toISOString()]);
    for (const [k, code] of [
      [past.key, "access_expired"],
      [future.key, "access_not_started"],
    ] as const) {
      const res = await request.post(`${base()}/v1/chat/completions`, {
        headers: { authorization: `Bearer ${k}` },
        data: { model: "gpt-4.1-mini", messages: [] },
      });
      expect(res.status()).toBe(401);
      const body = await res.json();
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(/\d{4}-\d{2}-\d{2}T/);
    }
  });

  test("a malformed body is a 400 invalid_request", async ({ request }) => {
    const res = await request.post(`${base()}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      data: "{not json",
    });
    expect(res.status()).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_request");
  });
});

test.describe("forwarding, failover and metering against faulty upstreams", () => {
  // Models priced here and served by no demo channel, so only this suite's plan and channels use
  // them: the suite can make every channel of a model fail without touching what other specs use.
  const OPENAI_MODEL = "gpt-e2e-faults";
  const ANTHROPIC_MODEL = "claude-e2e-faults";
  let primary: MockUpstream;
  let secondary: MockUpstream;
  let key: string;
  let channelIds: Record<string, string>;

  test.beforeAll(async () => {
    primary = await startMockUpstream();
    secondary = await startMockUpstream();
    for (const model of [OPENAI_MODEL, ANTHROPIC_MODEL]) await gatehouse("price", "set", "--model", model, "--input", "0.1", "--output", "0.4");
    await gatehouse("plan", "add", "--name", "E2E faults", "--models", `${OPENAI_MODEL},${ANTHROPIC_MODEL}`, "--days", "1", "--rpm", "1000");
    const add = async (name: string, provider: string, url: string, model: string, priority: string) =>
      (
        await gatehouse<{ channel: { id: string } }>(
          "channel",
          "add",
          "--name",
          name,
          "--provider",
          provider,
          "--base-url",
          url,
          "--api-key",
          `test-${name}`,
          "--models",
          model,
          "--priority",
          priority,
        )
      ).channel.id;
    channelIds = {
      primaryOpenai: await add("e2e-primary-openai", "openai", `${primary.url}/v1`, OPENAI_MODEL, "90"),
      secondaryOpenai: await add("e2e-secondary-openai", "openai", `${secondary.url}/v1`, OPENAI_MODEL, "80"),
      primaryAnthropic: await add("e2e-primary-anthropic", "anthropic", primary.url, ANTHROPIC_MODEL, "90"),
    };
    ({ key } = await createKey("E2E faults"));
  });
  test.afterAll(async () => {
    for (const name of ["e2e-primary-openai", "e2e-secondary-openai", "e2e-primary-anthropic"]) await gatehouse("channel", "disable", name).catch(() => {});
    await primary?.close();
    await secondary?.close();
  });
  test.beforeEach(() => {
    primary.reset();
    secondary.reset();
  });

  test("same-protocol bodies pass through byte for byte, unknown fields and anthropic-beta included", async () => {
    const body = `{"model":"${ANTHROPIC_MODEL}","max_tokens":4,"messages":[{"role":"user","content":"bytes"}],"future_field":{"keep":[1,2,3]},  "metadata":{"user_id":"u-1"}}`;
    const res = await fetch(`${base()}/v1/messages?beta=true`, {
      method: "POST",
      headers: {
        "x-api-key": key,
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14",
      },
      body,
    });
    expect(res.status).toBe(200);
    const seen = primary.requests.at(-1)!;
    expect(seen.body).toBe(body);
    expect(seen.path).toBe("/v1/messages");
    expect(seen.query.get("beta")).toBe("true");
    expect(seen.headers["anthropic-beta"]).toBe("context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14");
    expect(seen.headers["x-api-key"]).toBe("test-e2e-primary-anthropic");
    expect(JSON.stringify(seen.headers)).not.toContain(key);
  });

  test("an OpenAI stream without usage reaches the upstream with only the usage option added, and the client without the usage chunk", async () => {
    const body = `{"model":"${OPENAI_MODEL}",  "stream":true,"max_tokens":3,"messages":[{"role":"user","content":"splice"}],"future_field":[1,2]}`;
    const res = await fetch(`${base()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(primary.requests.at(-1)!.body).toBe(`{"stream_options":{"include_usage":true},${body.slice(1)}`);
    expect(text).not.toContain('"choices":[]');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const row = await loggedRequest(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 200, stream: true, estimated: false, outputTokens: 3 });
  });

  test("answers reach a client that accepts gzip as the upstream sent them, streams included", async () => {
    // What the official SDKs and Claude Code send; Next would otherwise compress the answer.
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json", "accept-encoding": "gzip, deflate, br" };
    for (const stream of [false, true]) {
      const body = JSON.stringify({ model: OPENAI_MODEL, stream, max_tokens: 400, messages: [{ role: "user", content: "a long answer, please" }] });
      const res = await fetch(`${base()}/v1/chat/completions`, { method: "POST", headers, body });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding")).toBeNull();
      expect(res.headers.get("cache-control")).toBe("no-transform");
      const text = await res.text();
      expect(text.length).toBeGreaterThan(2048); // above Next's compression threshold
      if (stream) expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
      else expect((JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toMatch(/^Mock reply to: a long answer/);
    }
  });

  /** A channel in front of all others, on a mock of its own with `fault`; removed by the returned function. */
  async function frontChannel(fault: Fault) {
    const mock = await startMockUpstream({ fault });
    const name = `e2e-front-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const added = await gatehouse<{ channel: { id: string } }>(
      "channel",
      "add",
      "--name",
      name,
      "--provider",
      "openai",
      "--base-url",
      `${mock.url}/v1`,
      "--api-key",
      "x",
      "--models",
      OPENAI_MODEL,
      "--priority",
      "95",
    );
    return {
      mock,
      id: added.channel.id,
      async remove() {
        await gatehouse("channel", "disable", name);
        await mock.close();
      },
    };
  }

  for (const fault of [
    { name: "a 500", outcome: "HTTP 500", set: { status: 500 } },
    { name: "a 429", outcome: "HTTP 429", set: { status: 429 } },
    // The channel's own credentials refused: the buyer's key and request are not at fault.
    { name: "a 401 (the channel's key refused)", outcome: "HTTP 401", set: { status: 401 } },
    { name: "a 403 (the channel's account not permitted)", outcome: "HTTP 403", set: { status: 403 } },
    { name: "a refused connection", outcome: "unreachable", set: { refuse: true } },
    { name: "a hang (timeout before the first byte)", outcome: "timeout", set: { hang: true } },
  ]) {
    test(`${fault.name} before the first byte fails over to the next channel, billed once`, async () => {
      const front = await frontChannel(fault.set);
      try {
        const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });
        const started = Date.now();
        const { data, response } = await openai.chat.completions
          .create({ model: OPENAI_MODEL, messages: [{ role: "user", content: "fail over" }], max_tokens: 5 })
          .withResponse();
        expect(data.choices[0]?.message.content).toMatch(/^Mock reply to: fail over/);
        if (fault.set.hang) expect(Date.now() - started).toBeGreaterThanOrEqual(2_900); // UPSTREAM_TIMEOUT_MS
        if (!fault.set.refuse) expect(front.mock.requests).toHaveLength(1);
        expect(primary.requests.length + secondary.requests.length).toBe(1);
        const row = await loggedRequest(response.headers.get("x-request-id")!);
        expect(row).toMatchObject({ status: 200, outputTokens: 5 });
        expect([channelIds.primaryOpenai, channelIds.secondaryOpenai]).toContain(row.channelId);
        // The log keeps the channel that failed first and how, for support to see.
        expect(row.failover).toEqual([{ channelId: front.id, channel: expect.stringMatching(/^e2e-front-/), outcome: fault.outcome, ms: expect.any(Number) }]);
      } finally {
        await front.remove();
      }
    });
  }

  test("when every channel fails, the client gets upstream_error in its own shape", async () => {
    primary.setFault({ status: 503 });
    secondary.setFault({ status: 500 });
    try {
      const res = await fetch(`${base()}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: OPENAI_MODEL, messages: [{ role: "user", content: "x" }] }),
      });
      expect(res.status).toBe(502);
      expect((await res.json()).error).toMatchObject({ code: "upstream_error", type: "api_error" });
      const row = await loggedRequest(res.headers.get("x-request-id")!);
      expect(row).toMatchObject({ status: 502, errorCode: "upstream_error", channelId: null });
      expect(row.failover).toEqual([
        { channelId: channelIds.primaryOpenai, channel: "e2e-primary-openai", outcome: "HTTP 503", ms: expect.any(Number) },
        { channelId: channelIds.secondaryOpenai, channel: "e2e-secondary-openai", outcome: "HTTP 500", ms: expect.any(Number) },
      ]);
    } finally {
      primary.setFault(null);
      secondary.setFault(null);
    }
  });

  test("a channel that keeps failing is skipped for a cool-down instead of costing every request", async () => {
    const front = await frontChannel({ status: 500 });
    try {
      const openai = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });
      for (let i = 0; i < 5; i++) {
        const answer = await openai.chat.completions.create({ model: OPENAI_MODEL, messages: [{ role: "user", content: `try ${i}` }], max_tokens: 2 });
        expect(answer.choices[0]?.message.content).toMatch(/^Mock reply/);
      }
      // Three failures open the circuit; the next requests go straight to a healthy channel.
      expect(front.mock.requests).toHaveLength(3);
    } finally {
      await front.remove();
    }
  });

  test("a connection dropped mid-stream ends the client's stream with an error and bills what was generated", async () => {
    primary.setFault({ dropAfterChunks: 4, times: 1 });
    const anthropic = new Anthropic({ apiKey: key, baseURL: base(), maxRetries: 0 });
    const stream = anthropic.messages.stream({ model: ANTHROPIC_MODEL, max_tokens: 40, messages: [{ role: "user", content: "drop me" }] });
    const { response } = await stream.withResponse();
    await expect(stream.finalMessage()).rejects.toThrow();
    const row = await loggedRequest(response.headers.get("x-request-id")!);
    expect(row.status).toBe(502);
    expect(row.errorCode).toBe("upstream_error");
    expect(row.inputTokens).toBeGreaterThan(0); // from message_start, the upstream's own count
    expect(row.estimated).toBe(true); // the output count never came
  });

  test("a paced stream reaches its end: the usage chunk removed on its own does not stall it", async () => {
    // Chunks apart, so the usage chunk the gateway asked for arrives alone and nothing of it is
    // passed on; the stream must still go on to [DONE].
    primary.setFault({ chunkDelayMs: 30, times: 1 });
    secondary.setFault({ chunkDelayMs: 30, times: 1 });
    const res = await fetch(`${base()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: OPENAI_MODEL, messages: [{ role: "user", content: "paced" }], max_tokens: 5, stream: true }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(text).not.toContain('"choices":[]');
    const row = await loggedRequest(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: 200, stream: true, estimated: false, outputTokens: 5 });
  });

  test("a client that goes away mid-stream aborts the upstream, and the partial usage is logged", async () => {
    // Either channel may serve it (the primary's circuit may be open after the tests above).
    primary.setFault({ chunkDelayMs: 100, times: 1 });
    secondary.setFault({ chunkDelayMs: 100, times: 1 });
    const controller = new AbortController();
    const res = await fetch(`${base()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: OPENAI_MODEL, messages: [{ role: "user", content: "long story" }], max_tokens: 200, stream: true }),
      signal: controller.signal,
    });
    const requestId = res.headers.get("x-request-id")!;
    const reader = res.body!.getReader();
    let received = "";
    while (!received.includes(" to:")) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const seen = [...primary.requests, ...secondary.requests];
    expect(seen).toHaveLength(1);
    await expect.poll(() => seen[0]!.clientClosedEarly, { timeout: 5_000 }).toBe(true);
    const row = await loggedRequest(requestId);
    expect(row).toMatchObject({ status: 499, errorCode: "client_closed", estimated: true });
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeLessThan(200);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@/lib/mock-upstream";
import type { CatalogChannel } from "./catalog";
import { probeChannel, redactKey } from "./probe-channel";
import type { Protocol } from "./types";

// The console's channel Test: one tiny request per protocol, built as the gateway builds its own.

describe("probeChannel", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterAll(async () => {
    await mock?.close();
  });
  beforeEach(() => mock.reset());

  const channel = (protocol: Protocol, modelMap: Record<string, string> = {}): CatalogChannel => ({
    id: `c-${protocol}`,
    name: protocol,
    protocol,
    baseUrl: protocol === "openai" ? `${mock.url}/v1` : mock.url,
    apiKey: "probe-key-0123456789",
    priority: 0,
    weight: 1,
    modelMap,
  });

  it.each([
    ["openai", "/v1/chat/completions", { max_completion_tokens: 1 }, "authorization"],
    ["anthropic", "/v1/messages", { max_tokens: 1 }, "x-api-key"],
    ["gemini", "/v1beta/models/their-model:generateContent", { generationConfig: { maxOutputTokens: 1 } }, "x-goog-api-key"],
  ] as const)("%s: a one-token request with the channel's key and model mapping", async (protocol, path, limit, keyHeader) => {
    const result = await probeChannel(channel(protocol, { ours: "their-model" }), "ours");
    expect(result).toMatchObject({ ok: true, status: 200, upstreamModel: "their-model", error: null });
    expect(mock.requests).toHaveLength(1);
    const sent = mock.requests[0]!;
    expect(sent.path).toBe(path);
    expect(String(sent.headers[keyHeader])).toContain("probe-key-0123456789");
    expect(JSON.parse(sent.body)).toMatchObject(limit);
  });

  it("reports the upstream's own error message and status", async () => {
    mock.setFault({ status: 529, message: "Overloaded, try later", times: 1 });
    expect(await probeChannel(channel("anthropic"), "claude-sonnet-4-6")).toMatchObject({ ok: false, status: 529, error: "HTTP 529: Overloaded, try later" });
  });

  it("gives up after the timeout", async () => {
    mock.setFault({ hang: true, times: 1 });
    const result = await probeChannel(channel("openai"), "gpt-4.1-mini", { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, status: null });
    expect(result.error).toBe("no answer within 0.3 s");
  });
});

describe("redactKey", () => {
  it("removes any run of eight or more of the key's characters, and control characters; keeps it short", () => {
    const key = "sk-live-ABCDEFGHIJKLMNOP";
    expect(redactKey(`bad key ${key} sent`, key)).toBe("bad key [key] sent");
    expect(redactKey("key ending EFGHIJKLMNOP was refused", key)).toBe("key ending [key] was refused");
    expect(redactKey("line\u0000one\ntwo", key)).toBe("line one two");
    expect(redactKey("x".repeat(1000), key)).toHaveLength(300);
  });
});

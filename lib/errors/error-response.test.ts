import { describe, expect, it, vi } from "vitest";
import { ERROR_CODES } from "./error-codes";
import { constantError, errorAnswer, errorResponse } from "./error-response";
import { ERROR_TABLE } from "./error-table";
import { GatewayError } from "./gateway-error";
import { renderAnthropicError } from "./render-anthropic-error";
import { renderGeminiError } from "./render-gemini-error";
import { renderOpenAIError } from "./render-openai-error";

const REQUEST_ID = "req_0123456789abcdef";

describe("renderers", () => {
  it.each(ERROR_CODES.map((code) => [code]))("%s renders in all three protocols", (code) => {
    const err = new GatewayError(code);
    const spec = ERROR_TABLE[code];

    expect(renderOpenAIError(err)).toEqual({
      error: { message: err.message, type: spec.openaiType, param: null, code },
    });
    expect(renderAnthropicError(err)).toEqual({
      type: "error",
      error: { type: spec.anthropicType, message: err.message, code },
    });
    const gemini = renderGeminiError(err);
    expect(gemini.error).toMatchObject({ code: spec.status, message: err.message, status: spec.geminiStatus });
    expect(gemini.error.details[0]).toEqual({
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: code.toUpperCase(),
      domain: "gatehouse",
      metadata: { code },
    });
  });

  it("carries param and retry details where each protocol expects them", () => {
    const err = new GatewayError("invalid_request", { reason: "tools[0] cannot be translated.", param: "tools[0]" });
    expect(renderOpenAIError(err).error.param).toBe("tools[0]");
    expect(renderGeminiError(err).error.details).toContainEqual({
      "@type": "type.googleapis.com/google.rpc.BadRequest",
      fieldViolations: [{ field: "tools[0]", description: err.message }],
    });
    const limited = new GatewayError("rate_limit_exceeded", { retryAfterSeconds: 1.2 });
    expect(renderGeminiError(limited).error.details).toContainEqual({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: "2s",
    });
    expect(renderAnthropicError(limited, REQUEST_ID).request_id).toBe(REQUEST_ID);
  });
});

describe("errorResponse", () => {
  it.each(ERROR_CODES.flatMap((code) => (["openai", "anthropic", "gemini"] as const).map((protocol) => [code, protocol] as const)))(
    "%s as %s: status, headers and body shape",
    async (code, protocol) => {
      const res = errorResponse(new GatewayError(code), protocol, REQUEST_ID);
      const spec = ERROR_TABLE[code];
      expect(res.status).toBe(spec.status);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(res.headers.get("x-request-id")).toBe(REQUEST_ID);
      expect(res.headers.get("request-id")).toBe(protocol === "anthropic" ? REQUEST_ID : null);
      expect(res.headers.get("retry-after")).toBeNull();
      expect(res.headers.get("www-authenticate")).toBe(spec.status === 401 ? 'Bearer realm="gatehouse"' : null);
      const body = (await res.json()) as Record<string, unknown>;
      if (protocol === "openai") {
        expect(body).toEqual({ error: { message: expect.any(String), type: spec.openaiType, param: null, code } });
      } else if (protocol === "anthropic") {
        expect(body).toEqual({
          type: "error",
          error: { type: spec.anthropicType, message: expect.any(String), code },
          request_id: REQUEST_ID,
        });
      } else {
        expect(body).toEqual({
          error: { code: spec.status, message: expect.any(String), status: spec.geminiStatus, details: expect.any(Array) },
        });
      }
    },
  );

  it("sends Retry-After and caller headers, but never lets them replace its own", async () => {
    const err = new GatewayError("rate_limit_exceeded", {
      retryAfterSeconds: 7,
      headers: { "x-ratelimit-remaining-requests": "0", "x-request-id": "spoofed", "content-type": "text/html" },
    });
    const res = errorResponse(err, "openai", REQUEST_ID);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(res.headers.get("x-request-id")).toBe(REQUEST_ID);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Try again in 7 seconds/);
  });

  it("answers anything unexpected as a generic internal_error", async () => {
    const res = errorResponse(new Error("connection string postgresql://user:pw@db/x"), "anthropic", REQUEST_ID);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("postgresql");
    expect(JSON.parse(text)).toMatchObject({ type: "error", error: { type: "api_error", code: "internal_error" } });
    expect(errorResponse("a string was thrown", "gemini", REQUEST_ID).status).toBe(500);
  });

  it("answers a constant error as it answers the same error made fresh, each time with its own request id", () => {
    const make = () => new GatewayError("service_unavailable", { check: "key", retryAfterSeconds: 1, headers: { "x-request-id": "spoofed" } });
    const constant = constantError(make());
    for (const protocol of ["openai", "anthropic", "gemini"] as const)
      for (const id of ["req_a", "req_b", "req_a"]) {
        const answer = errorAnswer(constant, protocol, id);
        expect(answer).toEqual(errorAnswer(make(), protocol, id));
        expect(answer.headers.filter(([name]) => name === "x-request-id")).toEqual([["x-request-id", id]]);
      }
    // Rendered once: the OpenAI and Gemini bodies are not built again (Anthropic's names the request).
    const stringify = vi.spyOn(JSON, "stringify");
    try {
      errorAnswer(constant, "openai", "req_c");
      errorAnswer(constant, "gemini", "req_c");
      expect(stringify).not.toHaveBeenCalled();
      errorAnswer(constant, "anthropic", "req_c");
      expect(stringify).toHaveBeenCalledTimes(1);
    } finally {
      stringify.mockRestore();
    }
  });
});

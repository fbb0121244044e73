import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, isErrorCode } from "./error-codes";
import { ERROR_TABLE } from "./error-table";
import { listErrorsForFaq } from "./list-errors-for-faq";

// DESIGN.md's Errors table, row by row: code, HTTP status, OpenAI type, Anthropic type.
const DESIGN_TABLE: readonly [string, number, string, string][] = [
  ["missing_api_key", 401, "invalid_request_error", "authentication_error"],
  ["api_key_whitespace", 401, "invalid_request_error", "authentication_error"],
  ["api_key_invisible_characters", 401, "invalid_request_error", "authentication_error"],
  ["api_key_masked_preview", 401, "invalid_request_error", "authentication_error"],
  ["api_key_other_provider", 401, "invalid_request_error", "authentication_error"],
  ["invalid_api_key", 401, "invalid_request_error", "authentication_error"],
  ["api_key_replaced", 401, "invalid_request_error", "authentication_error"],
  ["api_key_disabled", 401, "invalid_request_error", "authentication_error"],
  ["access_expired", 401, "invalid_request_error", "authentication_error"],
  ["access_not_started", 401, "invalid_request_error", "authentication_error"],
  ["order_cancelled", 401, "invalid_request_error", "authentication_error"],
  ["ip_not_allowed", 403, "permission_error", "permission_error"],
  ["model_not_allowed", 403, "permission_error", "permission_error"],
  ["model_not_found", 404, "invalid_request_error", "not_found_error"],
  ["api_key_quota_exceeded", 402, "insufficient_quota", "billing_error"],
  ["billing_shortfall", 402, "insufficient_quota", "billing_error"],
  ["rate_limit_exceeded", 429, "rate_limit_error", "rate_limit_error"],
  ["request_too_large", 413, "invalid_request_error", "request_too_large"],
  ["invalid_request", 400, "invalid_request_error", "invalid_request_error"],
  ["upstream_error", 502, "api_error", "api_error"],
  ["upstream_timeout", 504, "api_error", "api_error"],
  // Not in DESIGN.md's table: the answer when the shared spend store (Redis) cannot be reached,
  // because money is never spent unchecked.
  ["service_unavailable", 503, "api_error", "api_error"],
  ["internal_error", 500, "api_error", "api_error"],
  // A provider's refusal of a translated request, passed on with its reason.
  ["upstream_rejected", 400, "invalid_request_error", "invalid_request_error"],
  // A path under /v1 that is no endpoint, and an endpoint called with a method it does not take.
  ["endpoint_not_found", 404, "invalid_request_error", "not_found_error"],
  ["method_not_allowed", 405, "invalid_request_error", "invalid_request_error"],
  // Request headers over the server's limit, answered before any handler.
  ["headers_too_large", 431, "invalid_request_error", "request_too_large"],
  // The marketplace webhook's refusals.
  ["missing_signature", 401, "invalid_request_error", "authentication_error"],
  ["malformed_signature", 401, "invalid_request_error", "authentication_error"],
  ["stale_signature", 401, "invalid_request_error", "authentication_error"],
  ["invalid_signature", 401, "invalid_request_error", "authentication_error"],
  ["malformed_body", 400, "invalid_request_error", "invalid_request_error"],
  ["event_in_progress", 409, "invalid_request_error", "invalid_request_error"],
  ["event_not_applied", 422, "invalid_request_error", "invalid_request_error"],
];

// google.rpc.Code and the HTTP status Google pairs with each.
const GOOGLE_HTTP: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

describe("ERROR_TABLE", () => {
  it("holds exactly DESIGN.md's codes, in its order, with its statuses and types", () => {
    expect([...ERROR_CODES]).toEqual(DESIGN_TABLE.map(([code]) => code));
    expect(Object.keys(ERROR_TABLE).sort()).toEqual([...ERROR_CODES].sort());
    for (const [code, status, openaiType, anthropicType] of DESIGN_TABLE) {
      if (!isErrorCode(code)) throw new Error(`unknown code ${code}`);
      expect(ERROR_TABLE[code], code).toMatchObject({ status, openaiType, anthropicType });
    }
  });

  it("uses Google's canonical status for each Gemini error", () => {
    for (const code of ERROR_CODES) {
      const { status, geminiStatus } = ERROR_TABLE[code];
      const googleHttp = GOOGLE_HTTP[geminiStatus];
      expect(googleHttp, code).toBeDefined();
      // Statuses Google has no code for (402, 405, 409, 413, 422, 431, 502) map to the closest meaning instead.
      if (![402, 405, 409, 413, 422, 431, 502].includes(status)) expect(googleHttp, code).toBe(status);
    }
    expect(ERROR_TABLE.api_key_quota_exceeded.geminiStatus).toBe("RESOURCE_EXHAUSTED");
    expect(ERROR_TABLE.billing_shortfall.geminiStatus).toBe("FAILED_PRECONDITION");
    expect(ERROR_TABLE.request_too_large.geminiStatus).toBe("INVALID_ARGUMENT");
    expect(ERROR_TABLE.upstream_error.geminiStatus).toBe("UNAVAILABLE");
    expect(ERROR_TABLE.upstream_timeout.geminiStatus).toBe("DEADLINE_EXCEEDED");
  });

  it("explains every code in full sentences", () => {
    for (const code of ERROR_CODES) {
      const { title, meaning, whatToDo } = ERROR_TABLE[code];
      expect(title.length, code).toBeGreaterThan(3);
      expect(meaning, code).toMatch(/^[A-Z].*\.$/);
      expect(whatToDo, code).toMatch(/^[A-Z].*\.$/);
    }
  });

  it("recognises codes", () => {
    expect(isErrorCode("invalid_api_key")).toBe(true);
    expect(isErrorCode("nope")).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});

describe("listErrorsForFaq", () => {
  it("lists every code once, in table order, with status, title, meaning and what to do", () => {
    const rows = listErrorsForFaq();
    expect(rows.map((r) => r.code)).toEqual(ERROR_CODES.filter((code) => ERROR_TABLE[code].audience !== "webhook"));
    expect(rows.map((r) => r.code)).toContain("upstream_rejected");
    expect(rows[0]).toEqual({
      status: 401,
      code: "missing_api_key",
      title: ERROR_TABLE.missing_api_key.title,
      meaning: ERROR_TABLE.missing_api_key.meaning,
      whatToDo: ERROR_TABLE.missing_api_key.whatToDo,
    });
    expect(rows.find((r) => r.code === "api_key_whitespace")?.meaning).toMatch(/space.*line break/);
  });
});

describe("lib/errors", () => {
  // The FAQ page and client components import this folder, so it must bundle for the browser.
  it("has no Node-only or server-only imports outside its tests", () => {
    const dir = fileURLToPath(new URL("./", import.meta.url));
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
      const source = readFileSync(`${dir}${file}`, "utf8");
      expect(source, file).not.toMatch(/from\s+["'](node:|server-only|fs|crypto|path)/);
      expect(source, file).not.toMatch(/import\s+["']server-only["']/);
    }
  });
});

import { describe, expect, it } from "vitest";
import { splitUrl } from "./upstream-client";

describe("splitUrl", () => {
  it("cuts an upstream URL into the origin and the path with its query, as new URL would", () => {
    for (const url of [
      "https://api.openai.com/v1/chat/completions",
      "http://127.0.0.1:4010/v1/messages?beta=true",
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      "https://proxy.example.com/openai/v1/responses",
    ]) {
      const parsed = new URL(url);
      expect(splitUrl(url)).toEqual({ origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` });
    }
  });

  it("parses what is not a plain scheme://host/path (user info, a query before any path)", () => {
    expect(splitUrl("https://user:pw@example.com/v1/x")).toEqual({ origin: "https://example.com", path: "/v1/x" });
    expect(splitUrl("https://example.com?next=/v1")).toEqual({ origin: "https://example.com", path: "/?next=/v1" });
  });
});

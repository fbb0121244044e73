import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "@/lib/errors/error-codes";
import { FAQ_ENTRIES } from "./faq-content";

describe("FAQ content", () => {
  it("has unique, linkable ids", () => {
    const ids = FAQ_ENTRIES.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+$/);
  });

  it("covers the topics buyers ask about", () => {
    const text = JSON.stringify(FAQ_ENTRIES).toLowerCase();
    for (const topic of ["incorrect", "401", "powershell", "remaining", "expired", "new plan", "not a personal chat account", "exposed"]) {
      expect(text).toContain(topic);
    }
  });

  it("names only error codes that exist", () => {
    const mentioned = JSON.stringify(FAQ_ENTRIES).match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? [];
    const known = new Set<string>(ERROR_CODES);
    const envLike = /^(api_key_value|api_base_url)$/;
    for (const word of mentioned)
      if (word.includes("error") || word.endsWith("_expired") || word.endsWith("_allowed")) expect(known.has(word) || envLike.test(word)).toBe(true);
  });
});

// Golden files per protocol pair: provider-documented requests and responses (fixtures/<protocol>/,
// provenance in fixtures/SOURCES.md) translated into the other protocols must equal the bodies in
// fixtures/expected/<from>-to-<to>/, written by hand from the target provider's documentation.

import { describe, expect, it } from "vitest";
import { getAdapter, translateRequest, translateResponse, TranslationError } from "./index";
import { CTX, expected, fixture, fixtureNames, GEMINI_URL_MODEL, PAIRS } from "./test-helpers";

describe.each(PAIRS)("%s → %s", (from, to) => {
  const requests = fixtureNames(from, "request-").filter((name) => expected(from, to, name));
  const responses = fixtureNames(from, "response-");

  it("has a golden for every documented request kind", () => {
    for (const kind of ["basic", "system", "multiturn", "tools", "tool-result", "image"]) expect(requests).toContain(`request-${kind}`);
    expect(responses).toEqual(expect.arrayContaining(["response-text", "response-tool"]));
  });

  it.each(requests)("request %s", (name) => {
    const golden = expected(from, to, name)!;
    const body = fixture(from, name);
    const run = () => translateRequest(from, to, body, { model: from === "gemini" ? GEMINI_URL_MODEL : undefined, upstreamModel: `${to}-model` });
    if (golden.error) {
      expect(run).toThrow(TranslationError);
      try {
        run();
      } catch (err) {
        expect((err as TranslationError).field).toBe(golden.error.field);
      }
    } else {
      expect(run()).toEqual(golden.body);
    }
  });

  it.each(responses)("non-stream %s", (name) => {
    const golden = expected(from, to, name);
    expect(golden?.body).toBeDefined();
    expect(translateResponse(from, to, fixture(from, name), CTX)).toEqual(golden!.body);
  });
});

describe("same protocol", () => {
  it.each(["openai", "anthropic", "gemini"] as const)("%s passes through untranslated", (p) => {
    const name = p === "gemini" ? "request-tool-result" : "request-tools";
    const body = fixture(p, name);
    const out = translateRequest(p, p, body, { upstreamModel: "renamed" });
    expect(out).toEqual(p === "gemini" ? body : { ...body, model: "renamed" });
  });

  it.each(["openai", "anthropic", "gemini"] as const)("%s request survives parse → build unchanged in meaning", (p) => {
    const adapter = getAdapter(p);
    const body = fixture(p, "request-multiturn");
    const once = adapter.buildRequest(adapter.parseRequest(body, { model: GEMINI_URL_MODEL }), "m");
    const twice = adapter.buildRequest(adapter.parseRequest(once, { model: GEMINI_URL_MODEL }), "m");
    expect(twice).toEqual(once);
  });
});

import { describe, expect, it } from "vitest";
import { GatewayError } from "@/lib/errors";
import { apiKeyProblemError } from "./api-key-problem-error";
import { diagnoseApiKey } from "./diagnose-api-key";

describe("apiKeyProblemError", () => {
  it("turns each failure into the matching 401 with its specifics", () => {
    const other = diagnoseApiKey(`sk-ant-api03-${"a".repeat(90)}`);
    if (other.ok) throw new Error("expected a failure");
    const err = apiKeyProblemError(other);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe("api_key_other_provider");
    expect(err.status).toBe(401);
    expect(err.message).toContain("Anthropic");

    // The DESIGN test vector with its last character changed (built here, so the secret-scanning
    // rule finds only the test vectors themselves in the tree).
    const typo = diagnoseApiKey(`${"sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7h"}Q`);
    if (typo.ok) throw new Error("expected a failure");
    const typoErr = apiKeyProblemError(typo);
    expect(typoErr.code).toBe("invalid_api_key");
    expect(typoErr.details).toEqual({ reason: "bad_checksum" });
    expect(typoErr.message).toMatch(/typo/);

    const missing = diagnoseApiKey(null);
    if (missing.ok) throw new Error("expected a failure");
    expect(apiKeyProblemError(missing).code).toBe("missing_api_key");
  });
});

import { describe, expect, it } from "vitest";
import { GatewayError } from "@/lib/errors";
import { allowedAliases, resolveModel, servedModels } from "./authorize-model";
import type { Catalog, CatalogChannel } from "./catalog";
import { aliasMap, type GatewayKey } from "./load-key";

// Plan aliases: a name the operator lets clients send for one of the plan's models. The alias is
// resolved from the cached key (no database read), then the model's channels and the key's scope
// apply as if the model itself had been asked for.

const anthropic: CatalogChannel = { id: "a", name: "a", protocol: "anthropic", baseUrl: "http://a.test", apiKey: "k", priority: 0, weight: 1, modelMap: {} };

function catalogOf(models: string[]): Catalog {
  return { prices: new Map(), channels: new Map(models.map((m) => [m, [anthropic]])), loadedAt: Date.now(), routes: new Map() };
}

function keyWith(models: string[], aliases: Record<string, string>, modelScope: string[] = []): GatewayKey {
  return {
    id: "key",
    status: "ACTIVE",
    modelScope,
    ipAllowlist: [],
    spendLimitMicros: null,
    spendLimitPeriod: "MONTH",
    rpmLimit: null,
    tpmLimit: null,
    expiresAt: null,
    replacedAt: null,
    validUntil: null,
    order: { id: "o", marketplaceOrderId: "MP-1", customerId: "c", state: "OPEN", accessStart: new Date(0), accessEnd: new Date(8.64e15), endedAt: null },
    plan: { id: "p", name: "P", models, aliases: aliasMap(aliases, models), rpm: 60, tpm: null, multiplierBps: 10_000, creditMicros: 0n },
  };
}

const catalog = catalogOf(["claude-sonnet-4-6", "claude-haiku-4-5"]);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof GatewayError ? { code: err.code, details: err.details } : err;
  }
  return undefined;
};

describe("plan aliases", () => {
  it("serve an alias as its model and say which alias it was", () => {
    const key = keyWith(["claude-sonnet-4-6", "claude-haiku-4-5"], { "claude-opus-5-5": "claude-sonnet-4-6" });
    const resolved = resolveModel({ body: { model: "claude-opus-5-5" }, key, catalog, protocol: "anthropic" });
    expect(resolved).toMatchObject({ model: "claude-sonnet-4-6", alias: "claude-opus-5-5", channels: [anthropic] });
    expect(resolveModel({ body: { model: "claude-haiku-4-5" }, key, catalog, protocol: "anthropic" })).toMatchObject({
      model: "claude-haiku-4-5",
      alias: undefined,
    });
    expect(servedModels(key, catalog)).toEqual({ models: ["claude-sonnet-4-6", "claude-haiku-4-5"], aliases: [["claude-opus-5-5", "claude-sonnet-4-6"]] });
  });

  it("apply the key's model scope to the alias's model, and name the alias in refusals", () => {
    const key = keyWith(["claude-sonnet-4-6", "claude-haiku-4-5"], { "claude-opus-5-5": "claude-sonnet-4-6" }, ["claude-haiku-4-5"]);
    expect(allowedAliases(key)).toEqual([]);
    expect(refusal(() => resolveModel({ body: { model: "claude-opus-5-5" }, key, catalog, protocol: "anthropic" }))).toMatchObject({
      code: "model_not_allowed",
      details: { model: "claude-opus-5-5", allowedModels: ["claude-haiku-4-5"] },
    });
  });

  it("ignore stored aliases whose model left the plan, that shadow a model, or that are inherited names", () => {
    const key = keyWith(["claude-haiku-4-5"], { "claude-opus-5-5": "claude-sonnet-4-6", "claude-haiku-4-5": "claude-haiku-4-5", x: "claude-haiku-4-5" });
    expect([...key.plan.aliases]).toEqual([["x", "claude-haiku-4-5"]]);
    expect(refusal(() => resolveModel({ body: { model: "claude-opus-5-5" }, key, catalog, protocol: "anthropic" }))).toMatchObject({ code: "model_not_found" });
    expect(refusal(() => resolveModel({ body: { model: "constructor" }, key, catalog, protocol: "anthropic" }))).toMatchObject({ code: "model_not_found" });
  });
});

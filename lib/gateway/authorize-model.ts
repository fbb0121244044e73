import "server-only";
import { GatewayError } from "@/lib/errors";
import { textProblem } from "@/lib/text/safe-text";
import { channelsFor, type Catalog, type CatalogChannel } from "./catalog";
import type { GatewayKey } from "./load-key";
import type { Protocol } from "./types";

// The second step, once the body is read: the model exists, is in the key's scope, and some
// channel serves it in (or can translate it to) the client's protocol.

/** A key's model scope, computed once per cached key object. */
const scopes = new WeakMap<GatewayKey, { allowed: string[]; allowedSet: Set<string> }>();

function scopeOf(key: GatewayKey): { allowed: string[]; allowedSet: Set<string> } {
  let scope = scopes.get(key);
  if (!scope) {
    const plan = new Set(key.plan.models);
    const allowed = key.modelScope.length === 0 ? key.plan.models : key.modelScope.filter((m) => plan.has(m));
    scope = { allowed, allowedSet: new Set(allowed) };
    scopes.set(key, scope);
  }
  return scope;
}

/** The models this key may use: its own scope within the plan's, or the plan's. */
export function allowedModels(key: GatewayKey): string[] {
  return scopeOf(key).allowed;
}

/**
 * The plan's aliases this key may use, alias → model: those whose model is in the key's scope.
 * An alias is served and billed as its model.
 */
export function allowedAliases(key: GatewayKey): [alias: string, model: string][] {
  const out: [string, string][] = [];
  for (const [alias, model] of key.plan.aliases) if (keyAllowsModel(key, model)) out.push([alias, model]);
  return out;
}

/** The models this key may call that some channel serves, and its aliases of them (alias → model). */
export function servedModels(key: GatewayKey, catalog: Catalog): { models: string[]; aliases: [alias: string, model: string][] } {
  return {
    models: allowedModels(key).filter((m) => catalog.channels.has(m)),
    aliases: allowedAliases(key).filter(([, model]) => catalog.channels.has(model)),
  };
}

/** Whether the key may use the model (allowedModels, as a set lookup). */
export function keyAllowsModel(key: GatewayKey, model: string): boolean {
  return scopeOf(key).allowedSet.has(model);
}

/** Longest model name accepted; real ones are well under 100 characters. */
export const MAX_MODEL_NAME_LENGTH = 200;

/**
 * Refuses a model name no model can have (control characters, a NUL, an unpaired surrogate, or a
 * runaway length) as an invalid request, before it is looked up, echoed or logged.
 */
export function checkModelName(model: string): void {
  const problem = textProblem(model, { maxLength: MAX_MODEL_NAME_LENGTH });
  if (problem) throw new GatewayError("invalid_request", { reason: `the model name ${problem}`, param: "model" });
}

/**
 * Model exists, is in the key's scope, and is served in the client's protocol. `urlModel` is the
 * model named in the URL (Gemini); otherwise the body's `model` is used.
 */
export function resolveModel(input: { body: Record<string, unknown>; key: GatewayKey; catalog: Catalog; protocol: Protocol; urlModel?: string }): {
  model: string;
  /** The plan alias the client sent, when `model` was reached through one. */
  alias: string | undefined;
  channels: CatalogChannel[];
} {
  const requested = input.urlModel ?? input.body.model;
  if (typeof requested !== "string" || requested.trim() === "") {
    throw new GatewayError("invalid_request", { reason: "the request has no model", param: "model" });
  }
  checkModelName(requested);
  // A plan alias is served as its model: the model's channels, price and the key's scope apply.
  const target = input.key.plan.aliases.get(requested);
  const model = target ?? requested;
  const channels = channelsFor(input.catalog, model, input.protocol);
  if (!channels) throw new GatewayError("model_not_found", { model: requested, param: "model" });
  if (!keyAllowsModel(input.key, model))
    throw new GatewayError("model_not_allowed", { model: requested, allowedModels: allowedModels(input.key), param: "model" });
  return { model, alias: target === undefined ? undefined : requested, channels };
}

import "server-only";
import type { Provider } from "@/lib/db/types";
import type { ModelPricing } from "@/lib/billing";
import { publishInvalidation } from "@/lib/cache-bus/invalidation-bus";
import { CHANNEL_KEY_AAD, decryptSecret, getSecretKeys } from "@/lib/credentials";
import { getDb, type Prisma } from "@/lib/db";
import { logger } from "@/lib/server/logger";
import { PROVIDER_PROTOCOL, type Protocol } from "./types";
import { processSingleton } from "@/lib/server/process-singleton";
import { CATALOG_TTL_MS } from "./cache-ttls";

export interface CatalogChannel {
  id: string;
  name: string;
  protocol: Protocol;
  baseUrl: string;
  apiKey: string;
  priority: number;
  weight: number;
  /** Our model name -> the upstream's. */
  modelMap: Record<string, string>;
}

export interface Catalog {
  prices: Map<string, ModelPricing & { provider: Provider }>;
  /** Enabled channels per model, highest priority first. */
  channels: Map<string, CatalogChannel[]>;
  loadedAt: number;
  /** Channels per client protocol and model, grouped for the order they are tried in (see channelsFor). */
  routes: Map<string, Route>;
}

/**
 * The channels of one model for one client protocol, in tiers: a tier is the channels of equal
 * priority and equal protocol match, tried before the next tier. Within a tier traffic is shared
 * by weight. `weighted` is false when every tier holds one channel: then `channels` is the order.
 */
interface Route {
  channels: CatalogChannel[];
  /** Where each tier ends in `channels` (exclusive), in order. */
  tierEnds: number[];
  weighted: boolean;
}

// Channels and prices change rarely and are read on every request: keep them in process and
// reload after a short TTL (CATALOG_TTL_MS) or at once when an admin changes them (invalidateCatalog).
const CATALOG = processSingleton<{ current?: { value?: Catalog; loading?: Promise<Catalog> } }>("gateway.catalog", () => ({}));

function slot() {
  CATALOG.current ??= {};
  return CATALOG.current;
}

async function loadCatalog(db: Prisma, channelKey: Buffer): Promise<Catalog> {
  const [priceRows, channelRows] = await Promise.all([
    db.modelPrice.findMany(),
    db.upstreamChannel.findMany({ where: { enabled: true }, omit: { apiKeyCiphertext: false }, orderBy: [{ priority: "desc" }, { name: "asc" }] }),
  ]);
  const prices = new Map(
    priceRows.map((p) => [
      p.model,
      {
        provider: p.provider,
        inputMicrosPerM: p.inputMicrosPerM,
        outputMicrosPerM: p.outputMicrosPerM,
        cacheReadMicrosPerM: p.cacheReadMicrosPerM,
        cacheWriteMicrosPerM: p.cacheWriteMicrosPerM,
      },
    ]),
  );
  const channels = new Map<string, CatalogChannel[]>();
  for (const row of channelRows) {
    let apiKey: string;
    try {
      apiKey = decryptSecret(row.apiKeyCiphertext, channelKey, CHANNEL_KEY_AAD);
    } catch {
      logger.error({ channel: row.name }, "cannot decrypt the channel's upstream key (was GATEHOUSE_SECRET changed?); channel skipped");
      continue;
    }
    const channel: CatalogChannel = {
      id: row.id,
      name: row.name,
      protocol: PROVIDER_PROTOCOL[row.provider],
      baseUrl: row.baseUrl,
      apiKey,
      priority: row.priority,
      weight: row.weight,
      modelMap: (row.modelMap ?? {}) as Record<string, string>,
    };
    for (const model of row.models) {
      // A model without a price cannot be billed, so it is not served.
      if (!prices.has(model)) continue;
      const list = channels.get(model) ?? [];
      list.push(channel);
      channels.set(model, list);
    }
  }
  return { prices, channels, loadedAt: Date.now(), routes: new Map() };
}

/**
 * The catalog: at once (not a promise) while the cached one is fresh, which is almost always;
 * after the TTL, the previous one while a reload is in flight, so a slow query never stalls traffic.
 */
export function getCatalog(db: Prisma, channelKey: Buffer): Catalog | Promise<Catalog> {
  const s = slot();
  if (s.value && Date.now() - s.value.loadedAt < CATALOG_TTL_MS) return s.value;
  s.loading ??= loadCatalog(db, channelKey)
    .then((value) => {
      s.value = value;
      return value;
    })
    .finally(() => {
      s.loading = undefined;
    });
  return s.value ?? s.loading;
}

/** Channels and prices: at once while cached, otherwise as a promise. */
export function gatewayCatalog(): Catalog | Promise<Catalog> {
  return getCatalog(getDb(), getSecretKeys().channelKey);
}

/**
 * The channels serving a model, in the order to try them: by priority; at equal priority a
 * channel of the client's own protocol first (no translation); among channels equal in both,
 * traffic is shared by weight — each request draws the order afresh, a channel coming first with
 * probability weight / the tier's total, and the others follow as failover in weighted order.
 * The grouping is computed once per catalog; a request with no choice to make (one channel per
 * tier, the usual case) gets the cached array itself, otherwise one small array.
 */
export function channelsFor(catalog: Catalog, model: string, protocol: Protocol, random: () => number = Math.random): CatalogChannel[] | undefined {
  const id = `${protocol} ${model}`;
  let route = catalog.routes.get(id);
  if (!route) {
    const served = catalog.channels.get(model);
    if (!served || served.length === 0) return undefined;
    route = buildRoute(served, protocol);
    catalog.routes.set(id, route);
  }
  return route.weighted ? weightedOrder(route, random) : route.channels;
}

function buildRoute(served: CatalogChannel[], protocol: Protocol): Route {
  const rank = (c: CatalogChannel) => Number(c.protocol === protocol);
  const channels = [...served].sort((a, b) => b.priority - a.priority || rank(b) - rank(a));
  const tierEnds: number[] = [];
  for (let i = 1; i <= channels.length; i++) {
    const prev = channels[i - 1]!;
    const next = channels[i];
    if (!next || next.priority !== prev.priority || rank(next) !== rank(prev)) tierEnds.push(i);
  }
  return { channels, tierEnds, weighted: tierEnds.length < channels.length };
}

/** The route's channels with each tier in a weighted random order (weights below 1 count as 1). */
function weightedOrder(route: Route, random: () => number): CatalogChannel[] {
  const out: CatalogChannel[] = [];
  let start = 0;
  for (const end of route.tierEnds) {
    if (end - start === 1) {
      out.push(route.channels[start]!);
    } else {
      const pool = route.channels.slice(start, end);
      let total = 0;
      for (const c of pool) total += Math.max(1, c.weight);
      while (pool.length > 0) {
        let pick = random() * total;
        let at = 0;
        while (at < pool.length - 1 && (pick -= Math.max(1, pool[at]!.weight)) >= 0) at++;
        const [chosen] = pool.splice(at, 1);
        total -= Math.max(1, chosen!.weight);
        out.push(chosen!);
      }
    }
    start = end;
  }
  return out;
}

/** Reload channels and prices on the next request (after an admin change), on every instance. */
export function invalidateCatalog(options: { broadcast?: boolean } = {}): void {
  const s = slot();
  s.value = undefined;
  if (options.broadcast !== false) void publishInvalidation({ kind: "catalog", id: "*" });
}

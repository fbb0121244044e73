import "server-only";
import type { Provider } from "@/lib/db/types";
import type { ModelPricing } from "@/lib/billing";
import { publishInvalidation } from "@/lib/cache-bus/invalidation-bus";
import { CHANNEL_KEY_AAD, decryptSecret, getSecretKeys } from "@/lib/credentials";
import { getDb, type Prisma } from "@/lib/db";
import { logger } from "@/lib/server/logger";
import { PROVIDER_PROTOCOL, type Protocol } from "./types";
import { processSingleton } from "@/lib/server/process-singleton";

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
  /** Channels per client protocol and model, in the order they are tried (see channelsFor). */
  routes: Map<string, CatalogChannel[]>;
}

// Channels and prices change rarely and are read on every request: keep them in process and
// reload after a short TTL or at once when an admin changes them (invalidateCatalog).
const TTL_MS = 5_000;
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
  if (s.value && Date.now() - s.value.loadedAt < TTL_MS) return s.value;
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

/**
 * The channels serving a model, in the order to try them: by priority; at equal priority a
 * channel of the client's own protocol first (no translation). Computed once per catalog.
 */
/** Channels and prices: at once while cached, otherwise as a promise. */
export function gatewayCatalog(): Catalog | Promise<Catalog> {
  return getCatalog(getDb(), getSecretKeys().channelKey);
}

export function channelsFor(catalog: Catalog, model: string, protocol: Protocol): CatalogChannel[] | undefined {
  const id = `${protocol} ${model}`;
  let ordered = catalog.routes.get(id);
  if (!ordered) {
    const served = catalog.channels.get(model);
    if (!served || served.length === 0) return undefined;
    ordered = [...served].sort((a, b) => b.priority - a.priority || Number(b.protocol === protocol) - Number(a.protocol === protocol));
    catalog.routes.set(id, ordered);
  }
  return ordered;
}

/** Reload channels and prices on the next request (after an admin change), on every instance. */
export function invalidateCatalog(options: { broadcast?: boolean } = {}): void {
  const s = slot();
  s.value = undefined;
  if (options.broadcast !== false) void publishInvalidation({ kind: "catalog", id: "*" });
}

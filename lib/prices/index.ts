// Model prices per million tokens: list, add and edit from the console and the CLI's `price set`
// (audited, and the audit entries are each price's history; the gateway's catalog reloads at once
// on every instance).
export {
  createPrice,
  getPrice,
  listPrices,
  listPricedModels,
  MAX_PRICE_MICROS_PER_M,
  modelIdSchema,
  priceChangeSchema,
  PriceExistsError,
  priceListQuerySchema,
  PriceNotFoundError,
  PriceProviderNeededError,
  priceHistory,
  providerFromModelId,
  setPrice,
  type PriceHistoryEntry,
  updatePrice,
  type PriceChange,
  type PriceListQuery,
  type PriceSummary,
} from "./manage-prices";

// Model prices per million tokens: list, add and edit from the console (audited; the gateway's
// catalog reloads at once on every instance).
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
  updatePrice,
  type PriceChange,
  type PriceListQuery,
  type PriceSummary,
} from "./manage-prices";

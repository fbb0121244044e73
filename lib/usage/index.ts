// A buyer's own usage and money: the daily usage report, the runway (what runs out first, and
// when), and each order's balance and ledger.
export { getCustomerBalances, type LedgerLine, type OrderBalance } from "./balance";
export { loadAccountRunways, loadOrderRunway, rateWindowStart, runwayFromFacts, type RunwayKeyFacts, type RunwayOrderFacts } from "./load-runway";
export { computeRunway, formatSpan, RUNWAY_RATE_DAYS, type Runway, type RunwayInput, type RunwayLimit } from "./runway";
export {
  listUsageOrders,
  readUsageReport,
  USAGE_RANGES,
  usageQuerySchema,
  type UsageOrderOption,
  type UsageQuery,
  type UsageReport,
  type UsageRow,
  type UsageSeries,
  type UsageSplit,
  type UsageTotals,
} from "./usage-report";

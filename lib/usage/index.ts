// A buyer's view of their own usage: the request log by request id, the daily usage report, and
// the runway (what runs out first, and when).
export { getCustomerRequest, type CustomerRequest } from "./get-customer-request";
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

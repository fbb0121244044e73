// A buyer's view of their own usage: the request log (pages, one request, the CSV export), balances and ledger.
export { getCustomerRequest, type CustomerRequest } from "./get-customer-request";
export { eachCustomerRequest, listCustomerKeys, listCustomerRequests, type RequestLogRow } from "./request-log";
export { getCustomerBalances, type LedgerLine, type OrderBalance } from "./balance";
export { requestLogQuerySchema, type RequestLogQuery } from "./request-log-query";

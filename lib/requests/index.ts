import "server-only";

// The request log: as the console reads it (one request by the id a buyer quotes, the log
// filtered and paged) and as a buyer reads their own. Metadata only: no prompt or completion text is stored.
export { cleanRequestId, findRequestId, getRequestDetail, type RequestDetail } from "./get-request";
export { filterInstant, listRequests, REQUEST_FILTERS, requestListQuerySchema, type RequestListQuery, type RequestSummary } from "./list-requests";
// The buyer's own log: the same rows, always scoped by the account (pages, one request, the CSV).
export { eachCustomerRequest, listCustomerKeys, listCustomerRequests, type RequestLogRow } from "./customer-log";
export { requestLogQuerySchema, type RequestLogQuery } from "./customer-log-query";
export { getCustomerRequest, type CustomerRequest } from "./get-customer-request";

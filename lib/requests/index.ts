import "server-only";

// The request log as the console reads it: one request by the id a buyer quotes, and the log
// filtered and paged. Metadata only: the gateway never stores prompt or completion text.
export { cleanRequestId, findRequestId, getRequestDetail, type RequestDetail } from "./get-request";
export { filterInstant, listRequests, REQUEST_FILTERS, requestListQuerySchema, type RequestListQuery, type RequestSummary } from "./list-requests";

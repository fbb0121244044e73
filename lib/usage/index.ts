// A buyer's view of their own usage: the request log, by request id.
export { getCustomerRequest, type CustomerRequest } from "./get-customer-request";
